"""The textbook design, kept as the benchmark's reference point.

A room consumer as the Channels tutorial writes it: every socket joins a
channel-layer group, and each chat message is one `group_send`, which
channels_redis turns into one Redis message per listener, each received and
handled by its own consumer. It speaks the same contract subset the load
generator uses (session-cookie auth, `room.state` first, `chat.send` with
`client_id`, persisted with a per-room `seq` before it is broadcast), so the
same clients drive it and the real consumer, and the difference measured is
the fan-out alone.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.db import transaction

from events.services import access_room, access_summit, check_registered, profile_for, registration_for
from livechat.models import ChatMessage, RoomEvent, RoomLog
from summit.errors import NotSignedIn, ServiceError

MAX_BODY = 2000
CLOSE_CODES = {"not_found": 4404, "forbidden": 4403}


def enter_room(user, summit_slug, room_slug):
    summit = access_summit(summit_slug)
    room = access_room(summit, room_slug)
    check_registered(user, summit)
    profile = profile_for(user)
    registration = registration_for(user, summit)
    log, _created = RoomLog.objects.get_or_create(room=room)
    return {
        "type": "room.state",
        "room": room.slug,
        "you": {"id": user.pk, "name": profile.name, "role": registration.role if registration else "organiser"},
        "last_seq": log.last_seq,
        "messages": [],
        "questions": [],
        "presence": {"count": 0},
    }, room


def store_chat(user, room_id, body, client_id):
    """Stores the message under the room's next seq; a repeated client_id returns the original."""
    with transaction.atomic():
        if client_id:
            existing = ChatMessage.objects.filter(room_id=room_id, author=user, client_id=client_id).first()
            if existing:
                return chat_payload(existing, user), False
        log, _created = RoomLog.objects.select_for_update().get_or_create(room_id=room_id)
        log.last_seq += 1
        log.save(update_fields=["last_seq"])
        message = ChatMessage.objects.create(
            room_id=room_id, author=user, seq=log.last_seq, body=body, client_id=client_id
        )
        payload = chat_payload(message, user)
        RoomEvent.objects.create(room_id=room_id, seq=message.seq, type="chat.message", payload=payload)
    return payload, True


def chat_payload(message, user):
    profile = profile_for(user)
    return {
        "type": "chat.message",
        "id": message.pk,
        "seq": message.seq,
        "author": {"id": user.pk, "name": profile.name, "organisation": profile.organisation},
        "body": message.body,
        "created_at": message.created_at.isoformat(),
        "client_id": message.client_id,
    }


class TextbookRoomConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.accept()
        user = self.scope["user"]
        kwargs = self.scope["url_route"]["kwargs"]
        try:
            if not user.is_authenticated:
                raise NotSignedIn("Sign in first.")
            state, self.room = await database_sync_to_async(enter_room)(
                user, kwargs["summit_slug"], kwargs["room_slug"]
            )
        except ServiceError as error:
            await self.close(code=CLOSE_CODES.get(error.code, 4401))
            return
        self.group = f"textbook.room.{self.room.pk}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send_json(state)

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ping":
            await self.send_json({"type": "pong"})
            return
        if kind != "chat.send":
            await self.send_json({"type": "error", "code": "invalid", "detail": "Unknown frame type."})
            return
        body = str(content.get("body", "")).strip()
        client_id = content.get("client_id") or None
        if not body or len(body) > MAX_BODY:
            await self.send_json(
                {
                    "type": "error",
                    "code": "too_large" if body else "invalid",
                    "detail": "A message needs 1 to 2,000 characters.",
                    "client_id": client_id,
                }
            )
            return
        payload, created = await database_sync_to_async(store_chat)(self.scope["user"], self.room.pk, body, client_id)
        if created:
            await self.channel_layer.group_send(self.group, {"type": "chat.message", "event": payload})
        else:
            await self.send_json(payload)

    async def chat_message(self, message):
        await self.send_json(message["event"])
