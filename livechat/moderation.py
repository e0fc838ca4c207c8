"""The rules of keeping a room civil: moderators and organisers delete chat messages and mute people.

A deleted message gets a persisted `chat.deleted {id, seq}` event under the
room's next seq, so every socket removes it live and a resuming client is
replayed the deletion; the message itself is kept for the record but never
shown in `room.state` or replayed again. A mute is a row with an end time; it
changes the muted person's rights, so their open sockets learn of it through
`do_recheck_person` (their `room.state.you.muted_until`), and sending checks
that in memory, with no query per message.
"""

import datetime as dt
import math

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from livechat import services
from livechat.models import ChatMessage, RoomEvent, RoomMute
from livechat.rights import do_recheck_person
from summit.errors import Forbidden, Invalid, NotFound

User = get_user_model()

MUTE_MAX_MINUTES = 24 * 60


def check_can_run_room(kind):
    """Moderators and organisers (staff viewers) only: speakers moderate questions, not people."""
    if kind != services.STAFF:
        raise Forbidden(_("Only moderators and organisers may do that."))


def _check_id(value, name):
    if not isinstance(value, int) or isinstance(value, bool):
        raise Invalid(_("%(field)s must be a number.") % {"field": name})
    return value


def do_delete_chat_message(user_id, room_id, kind, message_id):
    """Delete a chat message of this room; returns {"event": chat.deleted payload, "created": bool}.

    Deleting a message already deleted creates nothing and returns the
    original `chat.deleted` event, like a repeated client_id.
    """
    check_can_run_room(kind)
    _check_id(message_id, "message_id")
    with transaction.atomic():
        log = services.lock_room_log(room_id)
        message = ChatMessage.objects.select_for_update().filter(pk=message_id, room_id=room_id).first()
        if message is None:
            raise NotFound(_("No such message in this room."))
        if message.deleted_at is not None:
            earlier = RoomEvent.objects.filter(room_id=room_id, type="chat.deleted", payload__id=message.pk).first()
            if earlier is not None:
                return {"event": earlier.payload, "created": False}
        message.deleted_at = timezone.now()
        message.deleted_by_id = user_id
        message.save(update_fields=["deleted_at", "deleted_by"])
        payload = {"type": "chat.deleted", "id": message.pk, "_actor_id": user_id}
        return {"event": services.record_room_event(log, "chat.deleted", payload), "created": True}


def do_mute_person(user_id, room_id, kind, target_id, minutes):
    """Mute `target_id` in the room for `minutes` (0 lifts the mute); returns {"user_id", "until"}."""
    check_can_run_room(kind)
    _check_id(target_id, "user_id")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 0 <= minutes <= MUTE_MAX_MINUTES:
        raise Invalid(_("minutes must be a whole number from 0 to %(max)d.") % {"max": MUTE_MAX_MINUTES})
    if target_id == user_id:
        raise Invalid(_("You cannot mute yourself."))
    if not User.objects.filter(pk=target_id).exists():
        raise NotFound(_("No such person."))
    with transaction.atomic():
        if minutes == 0:
            RoomMute.objects.filter(room_id=room_id, user_id=target_id).delete()
            until = None
        else:
            until = timezone.now() + dt.timedelta(minutes=minutes)
            RoomMute.objects.update_or_create(
                room_id=room_id, user_id=target_id, defaults={"until": until, "muted_by_id": user_id}
            )
        do_recheck_person(target_id)
    return {"user_id": target_id, "until": until.isoformat() if until else None}


def check_not_muted(you, now=None):
    """Forbidden, with the time left, while `you` (a socket's `room.state.you`) is muted."""
    until = you.get("muted_until") if you else None
    if until is None:
        return
    left = (dt.datetime.fromisoformat(until) - (now or timezone.now())).total_seconds()
    if left > 0:
        minutes = math.ceil(left / 60)
        raise Forbidden(
            ngettext(
                "You are muted in this room for %(minutes)d more minute.",
                "You are muted in this room for %(minutes)d more minutes.",
                minutes,
            )
            % {"minutes": minutes}
        )
