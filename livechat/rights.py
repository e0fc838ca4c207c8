"""Open sockets follow their person's rights: a change anywhere reaches every process within moments.

Whatever changes what a person may do in a room (signing out, a registration
revoked or its role changed, an account deactivated or its password changed,
an invitation, company membership or talk taken away) calls
`do_recheck_person(user_id)` once the change has committed. That function is
the one place to also drop an access cache, should one ever be added.

It tells this process's event loops directly, and every other process
through one publish on the control channel (`keys.control_channel()`); each
process's hubs then have that person's sockets run the access decision again
(`access_socket_room`, the same rules as at connect, with the session read
afresh). A socket whose person may no longer enter closes with 4401 or 4403;
one whose rights shrank (a demoted moderator) gets a new `room.state` for the
rights left. A speaker's rights end with their session: their socket rechecks
itself then, with no signal needed.
"""

import asyncio
import datetime as dt
import json
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from redis.exceptions import RedisError

from events.models import Company, Registration, Room, Session, Speaker
from livechat import keys, services
from livechat.db import call
from livechat.envelope import Envelope
from livechat.hub import DATABASE_DOWN, broadcast_in_this_process, recheck_in_this_process
from summit.errors import NotSignedIn, ServiceError
from summit.redis_connections import sync_client

log = logging.getLogger(__name__)
User = get_user_model()

# Seconds after a session's end before its speakers' sockets ask again: a room's facts (its live session)
# are reused for up to ROOM_FACTS_TTL, so asking sooner could hear the old answer.
LAPSE_MARGIN = services.ROOM_FACTS_TTL + 0.5
_publisher = {}


def do_recheck_person(user_id, ended_session=None):
    """After commit, every socket of `user_id` on every process checks its rights again.

    `ended_session` names a session key that is over (a sign-out): sockets
    opened with it close at once, whatever the session store says by then.
    """
    if user_id is None:
        return
    transaction.on_commit(lambda: _announce(user_id, ended_session))


def _announce(user_id, ended_session):
    services.forget_live_access(user_id)  # no process reuses the old decision (livechat/receivers.py does it too)
    recheck_in_this_process(user_id, ended_session)
    if not settings.REDIS_URL:
        return  # one process: nobody else to tell
    order = json.dumps({"user_id": user_id, "session": ended_session, "server": keys.SERVER_ID})
    try:
        _redis().publish(keys.control_channel(), order)
    except (RedisError, OSError) as error:
        # Sockets on other processes keep their rights until they reconnect; say so where operators look.
        log.warning("rights of person %s changed but other processes were not told (%s)", user_id, error)


def tell_room(room_id, frame):
    """After commit, an ephemeral frame to every socket of a room on every process, from a service running in
    a request or a worker (the calls app ends a cancelled meeting's call this way)."""
    transaction.on_commit(lambda: _tell_room(room_id, frame))


def _tell_room(room_id, frame):
    if not settings.REDIS_URL:
        broadcast_in_this_process(room_id, frame)
        return
    try:
        _redis().publish(keys.room_channel(room_id), Envelope.ephemeral(frame).wire())
    except (RedisError, OSError) as error:
        log.warning("room %s: %s not sent (%s)", room_id, frame.get("type"), error)


def _redis():
    client = _publisher.get(settings.REDIS_URL)
    if client is None:
        client = _publisher[settings.REDIS_URL] = sync_client(
            settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2
        )
    return client


def access_socket_room(session_key, user_id, summit_slug, room_slug):
    """`access_live_room` for the person a session key signs in now: NotSignedIn once it signs in nobody.

    The session is read afresh, so a sign-out, a deactivated account or a
    changed password (Django's session hash) is seen here, and the person's
    reused decisions are dropped first, so the answer is decided now.
    """
    services.forget_live_access(user_id)
    return services.access_live_room_of_session(session_key, summit_slug, room_slug)[1]


def seconds_until_rights_lapse(access, now=None):
    """How long until a socket's rights may shrink by the clock alone (a speaker's session ends), or None."""
    session = access["room"].get("session")
    if access["kind"] != services.SPEAKER or session is None:
        return None
    ends_at = dt.datetime.fromisoformat(session["ends_at"])
    return max(0.0, (ends_at - (now or dt.datetime.now(dt.UTC))).total_seconds())


# --- what a socket does about it ----------------------------------------------------------


async def recheck_socket(socket, ended_session=None):
    """Run the access decision again for an open socket: refuse it, restate it, or leave it be."""
    route = socket.scope["url_route"]["kwargs"]
    try:
        if ended_session is not None and ended_session == socket.session_key:
            raise NotSignedIn("signed out")
        access = await call(
            access_socket_room, socket.session_key, socket.user_id, route["summit_slug"], route["room_slug"]
        )
    except ServiceError as error:
        await socket.refuse(error)
        return
    except DATABASE_DOWN:
        # Rights unknown for now; the socket is rechecked on the next change or reconnect.
        log.warning("room %s: could not recheck person %s, database unavailable", socket.room_id, socket.user_id)
        return
    if access["kind"] != socket.kind or access["you"] != socket.you:
        try:
            await socket.restate(access)
        except DATABASE_DOWN:
            # The narrower rights already apply to what it sends and receives; the state follows on reconnect.
            log.warning(
                "room %s: new rights of person %s applied, room.state not resent", socket.room_id, socket.user_id
            )


def recheck_when_rights_lapse(socket, access):
    """A timer that rechecks a speaker's socket when their session ends; None for everyone else."""
    delay = seconds_until_rights_lapse(access)
    if delay is None:
        return None
    hubs = socket.hubs
    return asyncio.get_running_loop().call_later(delay + LAPSE_MARGIN, hubs.recheck_person, socket.user_id)


# --- what changes rights -------------------------------------------------------------


@receiver(user_logged_out, dispatch_uid="livechat-rights-logout")
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        do_recheck_person(user.pk, getattr(getattr(request, "session", None), "session_key", None))


@receiver(post_save, sender=Registration, dispatch_uid="livechat-rights-registration-saved")
@receiver(post_delete, sender=Registration, dispatch_uid="livechat-rights-registration-deleted")
def _registration_changed(sender, instance, created=False, **kwargs):
    if not created:  # a new registration only widens rights; the socket it allows opens afterwards
        do_recheck_person(instance.user_id)


@receiver(post_save, sender=User, dispatch_uid="livechat-rights-user-saved")
def _user_changed(sender, instance, created, update_fields=None, **kwargs):
    if created or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return  # signing in saves last_login: nothing about rights
    do_recheck_person(instance.pk)


@receiver(pre_save, sender=Speaker, dispatch_uid="livechat-rights-speaker-saving")
def _speaker_saving(sender, instance, **kwargs):
    if instance.pk:
        instance._previous_user_id = Speaker.objects.filter(pk=instance.pk).values_list("user_id", flat=True).first()


@receiver(post_save, sender=Speaker, dispatch_uid="livechat-rights-speaker-saved")
def _speaker_changed(sender, instance, **kwargs):
    previous = getattr(instance, "_previous_user_id", None)
    if previous != instance.user_id:
        do_recheck_person(previous)


@receiver(post_delete, sender=Speaker, dispatch_uid="livechat-rights-speaker-deleted")
def _speaker_deleted(sender, instance, **kwargs):
    do_recheck_person(instance.user_id)


@receiver(post_save, sender=Session, dispatch_uid="livechat-rights-session-saved")
def _session_changed(sender, instance, created, **kwargs):
    """A talk moved or cut short: its speakers' sockets recheck (their timers were set from the old times)."""
    if not created:
        for user_id in instance.speakers.exclude(user=None).values_list("user_id", flat=True):
            do_recheck_person(user_id)


MEMBERSHIPS = {
    Room.invited.through: "invited",
    Company.members.through: "members",
    Session.speakers.through: "speakers",
}


def _people(model, pks):
    if model is Speaker:
        return Speaker.objects.filter(pk__in=pks).exclude(user=None).values_list("user_id", flat=True)
    return pks


@receiver(m2m_changed, sender=Room.invited.through, dispatch_uid="livechat-rights-invitations")
@receiver(m2m_changed, sender=Company.members.through, dispatch_uid="livechat-rights-members")
@receiver(m2m_changed, sender=Session.speakers.through, dispatch_uid="livechat-rights-speakers")
def _membership_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Someone left a room's invitations, a company or a talk, changed from either side of the relation."""
    if action not in ("post_remove", "pre_clear"):
        return  # additions only widen rights; a clear is seen before the rows go
    if reverse:
        people = [instance.user_id if isinstance(instance, Speaker) else instance.pk]
    elif action == "pre_clear":
        people = _people(model, getattr(instance, MEMBERSHIPS[sender]).values_list("pk", flat=True))
    else:
        people = _people(model, pk_set)
    for user_id in set(people):
        do_recheck_person(user_id)
