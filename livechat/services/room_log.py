"""The room's log: every persisted event takes the room's next `seq` under the RoomLog row lock, in the
transaction that stores it, so `seq` is strictly increasing across threads and processes and commit
order equals `seq` order."""

from django.db import transaction
from django.db.models import F
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


def take_room_seq(room_id):
    """The room's next seq, in one `UPDATE ... SET last_seq = last_seq + 1 ... RETURNING`: the statement takes the
    RoomLog row lock lock_room_log takes, held until commit, without reading the row first. For a writer that
    needs nothing else under the lock before its seq (chat); it must store its event under this seq
    (store_room_event) in the same transaction, or roll back, or the room's seq has a gap."""
    log = RoomLog(room_id=room_id, last_seq=F("last_seq") + 1)
    try:
        log.save(update_fields=["last_seq"])  # an expression: Django reads the new value back with RETURNING
    except RoomLog.NotUpdated:  # the room's first event: no RoomLog yet
        # save() marks the transaction for rollback on any exception, but this one only says that the UPDATE
        # matched no row: nothing failed in the database, and the transaction goes on.
        transaction.set_rollback(False)
        _create_room_log(room_id)
        log.last_seq = F("last_seq") + 1
        log.save(update_fields=["last_seq"])
    return log.last_seq


def record_room_event(log, type_, payload):
    """Stores one event under the room's next seq (the log must come from lock_room_log, in the same
    transaction): the modules that read under the lock before they write (questions, polls, moderation) go
    here; chat takes its seq with take_room_seq."""
    log.last_seq += 1
    store_room_event(log.room_id, log.last_seq, type_, payload)
    log.save(update_fields=["last_seq"])
    return payload


def store_room_event(room_id, seq, type_, payload):
    """Stores one event under a seq already taken for it (take_room_seq, or record_room_event's)."""
    payload["seq"] = seq
    RoomEvent.objects.create(room_id=room_id, seq=seq, type=type_, payload=payload)
    return payload


def _create_room_log(room_id):
    """A room's RoomLog, made by its first writer; a concurrent first writer's row is as good (ON CONFLICT DO
    NOTHING, so no savepoint around an error is needed)."""
    RoomLog.objects.bulk_create([RoomLog(room_id=room_id)], ignore_conflicts=True)


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
