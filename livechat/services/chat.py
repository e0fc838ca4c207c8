"""Chat messages: stored with the room's next `seq`, idempotent per `client_id`."""

from django.db import IntegrityError, transaction
from django.db.models import Subquery

from events.services import (
    sessions_live_in,
)
from livechat.models import (
    ChatMessage,
    RoomEvent,
)
from livechat.services.limits import CHAT_MAX_CHARS, User
from livechat.services.room_log import check_body, check_client_id, store_room_event, take_room_seq
from livechat.services.visibility import author_view


def do_send_chat_message(user_id, room_id, body, client_id=None):
    """Store a chat message under the next seq; a repeated client_id returns the original instead.

    Returns {"event": payload, "created": bool}. Every writer of the room queues on its RoomLog lock while
    this runs, so the store is three statements from the first that takes the lock: the seq, the message
    (its live session read inside the INSERT), the event. A repeat is not looked for first: the message's
    unique (room, author, client_id) refuses it, the whole transaction rolls back (the seq with it), and
    only then is the original read.
    """
    body = check_body(body, CHAT_MAX_CHARS)
    client_id = check_client_id(client_id)
    user = User.objects.select_related("profile").get(pk=user_id)
    author = author_view(user)
    try:
        with transaction.atomic():
            seq = take_room_seq(room_id)
            message = ChatMessage.objects.create(
                room_id=room_id,
                session_id=Subquery(sessions_live_in(room_id).values("pk")[:1]),
                author=user,
                seq=seq,
                body=body,
                client_id=client_id,
            )
            payload = {
                "type": "chat.message",
                "id": message.pk,
                "author": author,
                "body": body,
                "created_at": message.created_at.isoformat(),
                "client_id": client_id,
            }
            return {"event": store_room_event(room_id, seq, "chat.message", payload), "created": True}
    except IntegrityError:
        original = None if client_id is None else _original_event(room_id, user_id, client_id)
        if original is None:
            raise  # not a repeat: another constraint refused the message
        return {"event": original, "created": False}


def _original_event(room_id, user_id, client_id):
    """The payload of the message this person already sent to this room under client_id, if any: one query."""
    earlier = ChatMessage.objects.filter(room_id=room_id, author_id=user_id, client_id=client_id)
    return (
        RoomEvent.objects.filter(room_id=room_id, seq__in=earlier.values("seq"))
        .values_list("payload", flat=True)
        .order_by()
        .first()
    )
