"""Who may enter a live room, and as what: the socket's rule, decided for a batch of joins at once.

Decisions are reused for a few seconds (ACCESS_TTL) under a version kept in the shared cache, so a
join storm asks the database once per batch; `forget_live_access` drops them the moment what they
rest on changes (livechat/receivers.py), on every process."""

import secrets
import time

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from events.models import Company, Registration, Room, Session, Summit
from events.services import (
    access_room,
    access_summit,
    check_signed_in,
    live_session,
    roles_in,
)
from livechat.auth import users_of_sessions
from livechat.models import (
    RoomMute,
)
from livechat.services.limits import ATTENDEE, SPEAKER, STAFF
from livechat.services.visibility import author_view, room_info_in
from summit.cache import shared_cache
from summit.errors import Forbidden, NotSignedIn, ServiceError

# How long joins reuse what they looked up: a room's facts (its summit, live session, speakers) and
# one person's decision for one room. Both are also dropped at once when what they depend on changes
# (livechat/receivers.py calls forget_live_access), on every process: the cache is Django's (Redis),
# through summit/cache.py's one backend object per process.
ROOM_FACTS_TTL = 5
ACCESS_TTL = 10
_ACCESS_VERSION = "live-access:version"


def access_live_room(user, summit_slug, room_slug):
    """Who `user` is in this room, or NotSignedIn / NotFound / Forbidden.

    Organisers and moderators (events.services.role_in) always get in; others
    must be registered, and a private room also wants an invitation,
    membership of the room's company, or a talk in the room. A granted decision is reused for
    ACCESS_TTL seconds (a reconnect storm costs no queries) unless the
    person's rights or the room change first; refusals are never reused.
    """
    return _granted(access_live_room_together([user], summit_slug, room_slug)[0])


def access_live_room_together(users, summit_slug, room_slug):
    """`access_live_room` for several people entering one room at once (a join storm's sockets).

    One answer per person, in order: their access, or the ServiceError that
    refuses them. The same decision for each as alone, in a fixed number of
    queries and three cache round trips whatever the number of people: the
    cache versions in one read, the reused decisions in one, the new ones
    stored in one.
    """
    answers: list[NotSignedIn | None] = [None] * len(users)
    for index, user in enumerate(users):
        try:
            check_signed_in(user)
        except NotSignedIn as refusal:
            answers[index] = refusal
    people = {user.pk: user for user, answer in zip(users, answers, strict=True) if answer is None}
    if not people:
        return answers
    cache = shared_cache()
    versions = cache.get_many([_ACCESS_VERSION, *(_person_version_key(pk) for pk in people)])
    room_version = versions.get(_ACCESS_VERSION, 0)
    keys = {
        pk: f"live-access:{room_version}:{versions.get(_person_version_key(pk), 0)}:{pk}:{summit_slug}:{room_slug}"
        for pk in people
    }
    decided = cache.get_many(list(keys.values()))
    undecided = [user for pk, user in people.items() if keys[pk] not in decided]
    if undecided:
        try:
            facts = _room_facts(summit_slug, room_slug, room_version)
        except ServiceError as refusal:  # no such summit or room: the same answer for everybody
            fresh = {user.pk: refusal for user in undecided}
        else:
            fresh = _decide_access_together(undecided, facts)
            granted = {keys[pk]: access for pk, access in fresh.items() if not isinstance(access, ServiceError)}
            if granted:
                cache.set_many(granted, ACCESS_TTL)
        decided.update({keys[pk]: answer for pk, answer in fresh.items()})
    for index, user in enumerate(users):
        if answers[index] is None:
            answers[index] = decided[keys[user.pk]]
    return answers


def _granted(answer):
    if isinstance(answer, ServiceError):
        raise answer
    return answer


def access_live_room_of_session(session_key, summit_slug, room_slug):
    """access_live_room for the person signed in with this session; also returns that user."""
    user, answer = access_live_room_of_sessions([session_key], summit_slug, room_slug)[0]
    return user, _granted(answer)


def access_live_room_of_sessions(session_keys, summit_slug, room_slug):
    """[(user, access or refusal)] for the people signed in with these sessions: the sockets of a join storm.

    One call for the sockets connecting together (livechat/hub.py's
    `Hubs.access`): a room socket is authenticated once (livechat/auth.py).
    """
    users = users_of_sessions(session_keys)
    people = [users[key] for key in session_keys]
    return list(zip(people, access_live_room_together(people, summit_slug, room_slug), strict=True))


def _decide_access_together(users, facts):
    """{user pk: access or Forbidden} for people whose decision is not reused: what each needs, looked up for all."""
    roles = roles_in(users, Summit(pk=facts["summit_id"]))
    invited = _invited_among(users, facts) if facts["is_private"] else set()
    mutes = dict(
        RoomMute.objects.filter(room_id=facts["room_id"], user__in=users, until__gt=timezone.now()).values_list(
            "user_id", "until"
        )
    )
    answers = {}
    for user in users:
        try:
            answers[user.pk] = _decide_access(user, facts, roles[user.pk], user.pk in invited, mutes.get(user.pk))
        except Forbidden as refusal:
            answers[user.pk] = refusal
    return answers


def _decide_access(user, facts, role, invited, muted_until):
    """The rule itself, for one person, given their role, whether the room invites them, and their mute."""
    if role is None:
        raise Forbidden(_("Register for this summit first."))
    runs_room = role in Registration.ROOM_RUNNERS
    speaking = user.pk in facts["speaker_ids"]
    if facts["is_private"] and not (runs_room or speaking or invited):
        raise Forbidden(_("This room is open to invited people only."))
    kind = STAFF if runs_room else SPEAKER if speaking else ATTENDEE
    if speaking and role == Registration.Role.ATTENDEE:
        role = Registration.Role.SPEAKER
    # A socket has no request language: the room and its session are named in the person's own.
    profile = getattr(user, "profile", None)
    language = profile.language if profile and profile.language in facts["rooms"] else translation.get_language()
    return {
        "room_id": facts["room_id"],
        "session_id": facts["session_id"],
        "room": facts["rooms"].get(language) or facts["rooms"][settings.LANGUAGE_CODE],
        "user_id": user.pk,
        "kind": kind,
        "language": language,
        "you": {
            **author_view(user),
            "role": role,
            "can_moderate": kind != ATTENDEE,
            "muted_until": muted_until.isoformat() if muted_until else None,
        },
    }


_facts_here = {}  # key -> (expires, facts): this process's copy, under the same version as the shared one


def _room_facts(summit_slug, room_slug, version):
    """What every join of a room needs to know of it, looked up once per ROOM_FACTS_TTL."""
    key = f"live-room:{version}:{summit_slug}:{room_slug}"
    kept = _facts_here.get(key)
    if kept is not None and kept[0] > time.monotonic():
        return kept[1]
    facts = shared_cache().get(key)
    if facts is None:
        summit = access_summit(summit_slug)
        room = access_room(summit, room_slug)
        session = live_session(room)
        facts = {
            "summit_id": summit.pk,
            "room_id": room.pk,
            "company_id": room.company_id,
            "is_private": room.is_private,
            "session_id": session.pk if session else None,
            "speaker_ids": set(session.speakers.values_list("user_id", flat=True)) if session else set(),
            # Named in each language: the facts are shared by everyone joining, whatever they read.
            "rooms": {code: room_info_in(code, room, session) for code, _name in settings.LANGUAGES},
        }
        shared_cache().set(key, facts, ROOM_FACTS_TTL)
    if len(_facts_here) > 1000:
        _facts_here.clear()
    _facts_here[key] = (time.monotonic() + ROOM_FACTS_TTL, facts)
    return facts


def _person_version_key(user_id):
    return f"{_ACCESS_VERSION}:{user_id}"


def forget_live_access(user_id=None):
    """Drop reused access decisions: one person's (their rights changed), or everybody's (a room changed)."""
    key = _person_version_key(user_id) if user_id is not None else _ACCESS_VERSION
    shared_cache().set(key, secrets.token_hex(6), 3600)


def entered_room(access):
    """The room an `access_live_room` answer lets its person into, with its summit and company."""
    return Room.objects.select_related("summit", "company").get(pk=access["room_id"])


def _invited_among(users, facts):
    """The ids of those the private room lets in: invited, members of its company, or speaking in it."""
    room_id, ids = facts["room_id"], [user.pk for user in users]
    invited = set(
        Room.invited.through.objects.filter(room_id=room_id, user_id__in=ids).values_list("user_id", flat=True)
    )
    if facts["company_id"]:
        invited.update(
            Company.members.through.objects.filter(company_id=facts["company_id"], user_id__in=ids).values_list(
                "user_id", flat=True
            )
        )
    invited.update(
        Session.objects.filter(room_id=room_id, speakers__user__in=ids).values_list("speakers__user", flat=True)
    )
    return invited
