"""Meeting calls: who sits in a meeting's call, their TURN credentials, and the call's seats.

The people of a meeting are its seats (partnering's `Participation`: the
requester, the invited partner, and the colleagues either side adds, at most
MAX_PEOPLE). Only they get credentials, signal and hear the call's frames;
organisers enter the room by role but never the call. A call exists while
the meeting is accepted and not over.
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import CallSeat
from livechat import rights
from partnering.models import Meeting, Participation
from partnering.services import access_meeting, side_of
from scheduler.enqueue import enqueue
from scheduler.notices import do_send_notices
from summit.errors import Conflict, Forbidden, Invalid, NotFound

MAX_PEOPLE = 4  # a full mesh of browsers; more wants an SFU
MAX_COLLEAGUES = 2
MAX_SIGNAL_BYTES = 32 * 1024  # an SDP with all its candidates is a few KiB
WAITING_MAIL_AFTER = dt.timedelta(minutes=3)


# --- who is in the call ------------------------------------------------------------


def people_of(meeting):
    """The user ids of the people sitting in the meeting."""
    return set(meeting.participations.values_list("user_id", flat=True))


def check_call_open(meeting, now):
    if meeting.status != Meeting.Status.ACCEPTED:
        raise Conflict(
            _("This meeting is %(status)s: it has no call.") % {"status": meeting.get_status_display().lower()}
        )
    if meeting.ends_at <= now:
        raise Conflict(_("This meeting is over: its call has ended."))


def access_call(user, meeting_id, now=None):
    """The meeting whose call this person may join: 404/403 for anyone else, 409 when there is no call."""
    meeting, side = access_meeting(user, meeting_id, act=True)
    check_call_open(meeting, now or timezone.now())
    if user.pk not in people_of(meeting):
        raise Forbidden(_("Only the people sitting in this meeting may join its call."))
    return meeting, side


def turn_credentials(user_id, now=None):
    """TURN REST credentials (coturn's `use-auth-secret`): `expiry:user`, signed with TURN_SECRET.

    coturn computes the same HMAC-SHA1 and refuses the name once its expiry
    has passed, so a leaked credential is worth hours, not the event.
    """
    now = now or timezone.now()
    expiry = int(now.timestamp()) + settings.TURN_CREDENTIAL_SECONDS
    username = f"{expiry}:{user_id}"
    digest = hmac.new(settings.TURN_SECRET.encode(), username.encode(), hashlib.sha1).digest()
    host, port = settings.TURN_HOST, settings.TURN_PORT
    urls = [f"turn:{host}:{port}?transport=udp", f"turn:{host}:{port}?transport=tcp"]
    if settings.TURN_TLS_URL:
        urls.append(settings.TURN_TLS_URL)
    return {
        "ice_servers": [
            {"urls": [f"stun:{host}:{port}"]},
            {"urls": urls, "username": username, "credential": base64.b64encode(digest).decode()},
        ],
        "expires_at": dt.datetime.fromtimestamp(expiry, dt.UTC),
    }


def call_credentials(user, meeting_id, now=None):
    """`GET /api/meetings/{id}/call/`."""
    access_call(user, meeting_id, now)
    return turn_credentials(user.pk, now)


# --- colleagues ----------------------------------------------------------------------


def colleagues_who_may_join(user, meeting):
    """Members of the person's company side who do not sit in the meeting yet (for the meeting page)."""
    side = side_of(user, meeting)
    if side is None or side.company_id is None or meeting.status != Meeting.Status.ACCEPTED:
        return []
    seated = people_of(meeting)
    return [member for member in side.company.members.order_by("profile__name", "pk") if member.pk not in seated]


def colleagues_panel(user, meeting, now=None):
    """What the meeting page offers a person of a company side who sits in the meeting, or None.

    {seats: [{user_id, name, removable}], candidates: [{user_id, name}], max_colleagues, max_people}:
    everyone sitting in the meeting (the person's colleagues on their side may be taken out again) and the
    members of their company who could be brought in. None for anyone else, and once there is no call.
    """
    side = side_of(user, meeting)
    if side is None or side.company_id is None or user.pk not in people_of(meeting):
        return None
    try:
        check_call_open(meeting, now or timezone.now())
    except Conflict:
        return None
    mine = set(meeting.participations.filter(profile=side).values_list("user_id", flat=True))
    removable = (mine - {user.pk}) if len(mine) > 1 else set()  # do_remove_colleague's rule: someone stays
    seats = [{**seat, "removable": seat["user_id"] in removable} for seat in seats_of(meeting)]
    candidates = [{"user_id": member.pk, "name": _name(member)} for member in colleagues_who_may_join(user, meeting)]
    return {"seats": seats, "candidates": candidates, "max_colleagues": MAX_COLLEAGUES, "max_people": MAX_PEOPLE}


def do_add_colleague(user, meeting_id, colleague_id, now=None):
    """A seat for a colleague of the person's company side: they enter the room and the call.

    Their seat is a meeting seat like the others (the double-booking rule
    holds for them too); at most MAX_COLLEAGUES beyond the two sides and
    MAX_PEOPLE in all.
    """
    now = now or timezone.now()
    meeting, side = access_call(user, meeting_id, now)
    if side.company_id is None:
        raise Forbidden(_("Only a company's team can bring colleagues."))
    colleague = side.company.members.filter(pk=colleague_id).first()
    if colleague is None:
        raise Invalid(_("Choose a member of your company's team."))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        seated = people_of(meeting)
        if colleague.pk in seated:
            return meeting
        if len(seated) >= MAX_PEOPLE or len(seated) - 2 >= MAX_COLLEAGUES:
            raise Conflict(_("A meeting call holds at most %(count)s people.") % {"count": MAX_PEOPLE})
        try:
            with transaction.atomic():
                Participation.objects.create(
                    meeting=meeting,
                    user=colleague,
                    profile=side,
                    starts_at=meeting.starts_at,
                    ends_at=meeting.ends_at,
                    status=meeting.status,
                )
        except IntegrityError:
            raise Conflict(_("Your colleague already has an accepted meeting at that time.")) from None
        if meeting.room is not None:  # an accepted meeting has its room; the colleague may enter it
            meeting.room.invited.add(colleague)
    return meeting


def do_remove_colleague(user, meeting_id, colleague_id, now=None):
    """Takes a colleague's seat away: their sockets in the room close (livechat follows the invitation)."""
    meeting, side = access_call(user, meeting_id, now)
    seat = meeting.participations.filter(user_id=colleague_id, profile=side).first()
    if seat is None or colleague_id in (meeting.requester.user_id, meeting.invitee.user_id):
        raise NotFound(_("No such colleague in this meeting."))
    if meeting.participations.filter(profile=side).count() == 1:
        raise Conflict(_("Someone has to sit in for your side."))
    with transaction.atomic():
        seat.delete()
        meeting.room.invited.remove(colleague_id)  # their sockets close, which frees their seat in the call
    return meeting


# --- the call over the room's socket -------------------------------------------------


def _meeting_of_room(room_id):
    meeting = Meeting.objects.select_related("requester", "invitee").filter(room_id=room_id).first()
    if meeting is None:
        raise Forbidden(_("This room holds no call."))
    return meeting


def _person_in_call(user_id, meeting):
    if user_id not in people_of(meeting):
        raise Forbidden(_("Only the people sitting in this meeting may join its call."))


def peers_of(meeting):
    """[{user_id, name}] of the people in the call now, in the order they joined.

    Read after the change that prompted it committed, so of two lists the one read later is the truer;
    its `at` (below) lets the page drop a list overtaken on the way.
    """
    seats = (
        CallSeat.objects.filter(meeting=meeting, left_at__isnull=True)
        .select_related("user__profile")
        .order_by("joined_at", "pk")
    )
    return [{"user_id": seat.user_id, "name": _name(seat.user)} for seat in seats]


def seats_of(meeting):
    """[{user_id, name}] of the people sitting in the meeting."""
    seats = meeting.participations.select_related("user__profile").order_by("pk")
    return [{"user_id": seat.user_id, "name": _name(seat.user)} for seat in seats]


def _name(user):
    profile = getattr(user, "profile", None)
    return profile.name if profile is not None else user.get_username()


def do_join_call(user_id, room_id, socket, now=None):
    """`call.join`: this socket holds the person's seat. Returns who to tell and whether anyone waits now.

    {meeting_id, room_id, people: [user ids], peers: [{user_id, name}], waiting: {user_id, name} | None}
    `waiting` is set when the person is the first in the call and has never joined it before, so the
    others are told once that someone is waiting.
    """
    now = now or timezone.now()
    meeting = _meeting_of_room(room_id)
    _person_in_call(user_id, meeting)
    check_call_open(meeting, now)
    with transaction.atomic():
        seat, created = CallSeat.objects.get_or_create(
            meeting=meeting, user_id=user_id, defaults={"socket": socket, "joined_at": now}
        )
        if not created:
            CallSeat.objects.filter(pk=seat.pk).update(socket=socket, joined_at=now, left_at=None)
    peers = peers_of(meeting)
    waiting = None
    if created and len(peers) == 1:
        waiting = peers[0]
        key = f"call-waiting:{meeting.pk}:{user_id}"
        enqueue("scheduler.send_notices", "call", meeting.pk, "waiting", user_id, key)
        enqueue("calls.mail_if_not_joined", meeting.pk, user_id, eta=max(now, meeting.starts_at + WAITING_MAIL_AFTER))
    return {
        "meeting_id": meeting.pk,
        "people": sorted(people_of(meeting)),
        "peers": peers,
        "at": time.time(),
        "waiting": waiting,
    }


def do_leave_call(user_id, room_id, socket, now=None):
    """`call.leave` or the socket closed: the seat is free if this socket held it. None when it did not."""
    meeting = Meeting.objects.filter(room_id=room_id).first()
    if meeting is None:
        return None
    left = CallSeat.objects.filter(meeting=meeting, user_id=user_id, socket=socket, left_at__isnull=True).update(
        left_at=now or timezone.now()
    )
    if not left:
        return None
    return {
        "meeting_id": meeting.pk,
        "people": sorted(people_of(meeting)),
        "peers": peers_of(meeting),
        "at": time.time(),
    }


def check_fields(frame, allowed):
    """A call frame carries only its own fields (and the usual `type` and `client_id`)."""
    extra = sorted(set(frame) - {"type", "client_id", *allowed})
    if extra:
        raise Invalid(_("Unknown field “%(field)s” in %(type)s.") % {"field": extra[0][:40], "type": frame["type"]})


def access_call_room(user_id, room_id):
    """The meeting of a room whose call this person sits in; `forbidden` for anyone else."""
    meeting = _meeting_of_room(room_id)
    _person_in_call(user_id, meeting)
    return meeting.pk


def check_signal(user_id, room_id, frame):
    """`call.signal {to, data}`: the addressee's id, once the sender is in the call and `to` is in the meeting."""
    check_fields(frame, ("to", "data"))
    to, data = frame.get("to"), frame.get("data")
    if not isinstance(to, int) or isinstance(to, bool):
        raise Invalid(_("“to” must be the id of a person in the call."))
    if not isinstance(data, dict) or not data:
        raise Invalid(_("“data” must be an object (a session description or an ICE candidate)."))
    if len(json.dumps(data)) > MAX_SIGNAL_BYTES:
        raise Invalid(_("That signal is too large."))
    meeting = _meeting_of_room(room_id)
    people = people_of(meeting)
    if user_id not in people:
        raise Forbidden(_("Only the people sitting in this meeting may join its call."))
    if to not in people:
        raise Forbidden(_("You can only call the people of this meeting."))
    if to == user_id:
        raise Invalid(_("A signal goes to someone else."))
    if not CallSeat.objects.filter(meeting=meeting, user_id=user_id, left_at__isnull=True).exists():
        raise Invalid(_("Join the call first."))
    return to


def do_end_call(meeting_id, reason):
    """The meeting was cancelled: every seat is free and every socket of the room hears `call.ended`."""
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None or meeting.room_id is None:
        return 0
    ended = CallSeat.objects.filter(meeting=meeting, left_at__isnull=True).update(left_at=timezone.now())
    rights.tell_room(meeting.room_id, {"type": "call.ended", "reason": reason})
    return ended


# --- telling the other side ------------------------------------------------------


def waiting_notice_recipients(meeting_id, actor_id, *, mail_only=False):
    """The people of the meeting (never the waiting person) who are not in the call; for the mail, never joined."""
    meeting = Meeting.objects.filter(pk=meeting_id, status=Meeting.Status.ACCEPTED).first()
    if meeting is None:
        return []
    seats = CallSeat.objects.filter(meeting=meeting)
    if not mail_only:
        seats = seats.filter(left_at__isnull=True)
    inside = set(seats.values_list("user_id", flat=True))
    return sorted(people_of(meeting) - inside - {actor_id})


def do_mail_if_not_joined(meeting_id, waiting_id, now=None):
    """Three minutes after the start, those who have not joined get a mail (once: the notice's key)."""
    now = now or timezone.now()
    meeting = Meeting.objects.filter(pk=meeting_id, status=Meeting.Status.ACCEPTED).first()
    if meeting is None or now < meeting.starts_at + WAITING_MAIL_AFTER or meeting.ends_at <= now:
        return 0  # gone, too early (a broker that ran it before its eta), or over
    return do_send_notices("call", meeting_id, "not_joined", waiting_id, f"call-not-joined:{meeting_id}:{waiting_id}")


def may_join(user, meeting):
    """For the page: whether the person gets the Join button (organisers never do)."""
    return user.is_authenticated and user.pk in people_of(meeting)


def waiting_name(meeting_id):
    """Who is waiting: the first of those in the call now, else the first who ever joined."""
    seats = CallSeat.objects.filter(meeting_id=meeting_id).select_related("user__profile")
    seat = seats.order_by(F("left_at").asc(nulls_first=True), "joined_at", "pk").first()
    return "" if seat is None else _name(seat.user)
