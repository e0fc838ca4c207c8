"""Chat messages: stored with the room's next `seq`, idempotent per `client_id`."""

from django.db import transaction

from events.models import Room
from events.services import (
    live_session,
)
from livechat.models import (
    ChatMessage,
    RoomEvent,
)
from livechat.services.limits import CHAT_MAX_CHARS, User
from livechat.services.room_log import check_body, check_client_id, lock_room_log, record_room_event
from livechat.services.visibility import author_view


def do_send_chat_message(user_id, room_id, body, client_id=None):
    """Store a chat message under the next seq; a repeated client_id returns the original instead.

    Returns {"event": payload, "created": bool}.
    """
    body = check_body(body, CHAT_MAX_CHARS)
    client_id = check_client_id(client_id)
    user = User.objects.select_related("profile").get(pk=user_id)
    with transaction.atomic():
        log = lock_room_log(room_id)
        if client_id is not None:
            earlier = ChatMessage.objects.filter(room_id=room_id, author_id=user_id, client_id=client_id).first()
            if earlier is not None:
                return {"event": RoomEvent.objects.get(room_id=room_id, seq=earlier.seq).payload, "created": False}
        session = live_session(Room(pk=room_id))
        message = ChatMessage.objects.create(
            room_id=room_id, session=session, author=user, seq=log.last_seq + 1, body=body, client_id=client_id
        )
        payload = {
            "type": "chat.message",
            "id": message.pk,
            "author": author_view(user),
            "body": body,
            "created_at": message.created_at.isoformat(),
            "client_id": client_id,
        }
        return {"event": record_room_event(log, "chat.message", payload), "created": True}
