"""The room's log: every persisted event takes the room's next `seq` under the RoomLog row lock, in the
transaction that stores it, so `seq` is strictly increasing across threads and processes and commit
order equals `seq` order."""

from django.utils.translation import gettext as _

from livechat.models import (
    RoomEvent,
    RoomLog,
)
from livechat.services.limits import CLIENT_ID_MAX_CHARS, TooLarge
from summit.errors import Invalid


def lock_room_log(room_id):
    """The room's RoomLog, row-locked until commit: every writer of the room queues here."""
    RoomLog.objects.get_or_create(room_id=room_id)
    return RoomLog.objects.select_for_update().get(room_id=room_id)


def record_room_event(log, type_, payload):
    """Stores one event under the room's next seq (the log must come from lock_room_log, in the same
    transaction): every module that adds to a room's history (chat, questions, polls, moderation) goes here."""
    log.last_seq += 1
    payload["seq"] = log.last_seq
    RoomEvent.objects.create(room_id=log.room_id, seq=log.last_seq, type=type_, payload=payload)
    log.save(update_fields=["last_seq"])
    return payload


def check_client_id(client_id):
    if client_id is None:
        return None
    if not isinstance(client_id, str) or not client_id or len(client_id) > CLIENT_ID_MAX_CHARS:
        raise Invalid(_("client_id must be a string of 1 to %(max)d characters.") % {"max": CLIENT_ID_MAX_CHARS})
    return client_id


def check_body(body, max_chars):
    if not isinstance(body, str):
        raise Invalid(_("body must be text."))
    body = body.strip()
    if not body:
        raise Invalid(_("Say something first: the message is empty."))
    if len(body) > max_chars:
        raise TooLarge(_("Keep it under %(max)d characters.") % {"max": max_chars})
    return body
