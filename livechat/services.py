"""The rules of live rooms: who may enter, chat, ask, vote and moderate, and what each viewer sees.

Consumers call these through one `database_sync_to_async` each and get plain
dicts back. Every persisted event takes the room's next `seq` under the
RoomLog row lock, in the same transaction that stores the row and its
RoomEvent, so `seq` is strictly increasing across threads and processes and
commit order equals `seq` order. Callers broadcast only after the function
returned, that is after commit: nobody hears of a row that may roll back.

Past 500 lines on purpose for now: it is one concern (the room's rules), and the
access decision with its reuse (access_live_room .. forget_live_access) is the
part to move into a module of its own once the socket re-checks being built on
top of it have landed, so both move once.
"""

import datetime as dt
import secrets
import time
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
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
from livechat.attendance_totals import do_fold_closed_attendance
from livechat.auth import users_of_sessions
from livechat.signals import room_state_parts
from livechat.models import (
    Attendance,
    ChatMessage,
    Question,
    QuestionVote,
    ReactionTally,
    RoomEvent,
    RoomLog,
    RoomMute,
)
from summit.cache import shared_cache
from summit.errors import Forbidden, Invalid, NotFound, NotSignedIn, ServiceError

User = get_user_model()

CHAT_MAX_CHARS = 2000
QUESTION_MAX_CHARS = 500
CLIENT_ID_MAX_CHARS = 64
RECENT_MESSAGES = 50
QUESTIONS_SHOWN = 200
REPLAY_BATCH = 500
# Attendance rows not refreshed for this long belong to a process that died.
STALE_ATTENDANCE_AFTER = dt.timedelta(seconds=90)

# Viewers, by what they may see of questions: staff see pending questions and
# anonymous authors; the live session's speakers see pending questions only.
STAFF, SPEAKER, ATTENDEE = "staff", "speaker", "attendee"
VIEWER_KINDS = (STAFF, SPEAKER, ATTENDEE)
QUESTION_EVENTS = ("question.created", "question.updated")
MODERATION_ACTIONS = ("approve", "answer", "dismiss", "pin")


class TooLarge(Invalid):
    status = 413
    code = "too_large"


# --- entering a room --------------------------------------------------------------


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
        "you": {
            **_person(user),
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
            "rooms": {code: _room_info_in(code, room, session) for code, _name in settings.LANGUAGES},
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


# How a person who deleted their account appears beside what they wrote (pages show "deleted user").
DELETED_AUTHOR = {"id": None, "name": "", "organisation": "", "deleted": True}


def _person(user):
    profile = getattr(user, "profile", None)  # select_related("profile") saves the query
    if profile is None and not user.is_active:
        return dict(DELETED_AUTHOR)
    return {
        "id": user.pk,
        "name": profile.name if profile else user.get_username(),
        "organisation": profile.organisation if profile else "",
    }


def do_enter_room_together(room_id, server, joins):
    """Record several joins of one room at once and return each one's `room.state` and replay, in order.

    `joins` is [(user_id, kind, session_id, since)]; the answer is one
    {"attendance_id", "state", "replay"} per join. One call, so every state,
    `last_seq` and replay come from one moment; the attendance rows go in as
    one insert and the recent chat and questions are read once for all, so a
    join storm costs a few queries per batch rather than per person. The room
    and its live session were looked up by `access_live_room` (at most
    ROOM_FACTS_TTL ago).
    """
    now = timezone.now()
    rows = Attendance.objects.bulk_create(
        [
            Attendance(
                user_id=user_id, room_id=room_id, session_id=session_id, joined_at=now, last_seen_at=now, server=server
            )
            for user_id, _kind, session_id, _since in joins
        ]
    )
    # A room's log is made on its first entry, so looking a room up never writes.
    last_seq = RoomLog.objects.get_or_create(room_id=room_id)[0].last_seq
    recent = _recent_messages(room_id, last_seq)
    questions = {}
    for _user_id, kind, session_id, _since in joins:
        if (session_id, kind == ATTENDEE) not in questions:
            questions[session_id, kind == ATTENDEE] = _questions_of(room_id, session_id, kind)
    voted = set(
        QuestionVote.objects.filter(
            user_id__in={join[0] for join in joins},
            question__in={question.pk for shown in questions.values() for question in shown},
        ).values_list("user_id", "question_id")
    )
    parts = room_state_parts_for(room_id, [(user_id, kind) for user_id, kind, _session_id, _since in joins])
    entered = []
    for row, (user_id, kind, session_id, since), part in zip(rows, joins, parts, strict=True):
        state = {
            "last_seq": last_seq,
            "messages": [view_for(payload, user_id, kind) for payload in recent],
            "questions": _question_views(questions[session_id, kind == ATTENDEE], user_id, kind, voted),
            **part,
        }
        replay = [] if since is None else list(_events_after(room_id, since, last_seq, user_id, kind))
        entered.append({"attendance_id": row.pk, "state": state, "replay": replay})
    return entered


def room_state(room_id, session_id, user_id, kind):
    """What a viewer of `kind` sees of the room now (a socket whose rights changed): as at entry, no replay."""
    last_seq = RoomLog.objects.get_or_create(room_id=room_id)[0].last_seq
    questions = _questions_of(room_id, session_id, kind)
    voted = set(
        QuestionVote.objects.filter(user_id=user_id, question__in=[question.pk for question in questions]).values_list(
            "user_id", "question_id"
        )
    )
    return {
        "last_seq": last_seq,
        "messages": [view_for(payload, user_id, kind) for payload in _recent_messages(room_id, last_seq)],
        "questions": _question_views(questions, user_id, kind, voted),
        **room_state_parts_for(room_id, [(user_id, kind)])[0],
    }


def room_state_parts_for(room_id, viewers):
    """[{key: part}] for `viewers` [(user_id, kind)], in order: what other apps add to `room.state`."""
    built = {}
    for part in room_state_parts.parts(room_id=room_id, viewers=viewers):
        if built.keys() & part.keys():
            raise RuntimeError(f"two contributions to room.state under {sorted(built.keys() & part.keys())}")
        built.update(part)
    return [{key: values[index] for key, values in built.items()} for index in range(len(viewers))]


def _recent_messages(room_id, last_seq):
    """The room's last chat messages up to `last_seq`, oldest first, without those a moderator deleted."""
    recent = (
        RoomEvent.objects.filter(room_id=room_id, type="chat.message", seq__lte=last_seq)
        .exclude(seq__in=_deleted_messages(room_id))
        .order_by("-seq")
    )
    return [event.payload for event in reversed(recent[:RECENT_MESSAGES])]


def _room_info_in(language, room, session):
    with translation.override(language):
        return _room_info(room, session)


def _room_info(room, session):
    return {
        "id": room.pk,
        "slug": room.slug,
        "name": room.name,
        "kind": room.kind,
        "summit": room.summit.slug,
        "is_private": room.is_private,
        "is_moderated": room.is_moderated,
        "stream_url": (session.effective_stream_url if session else room.stream_url),
        "session": _session_info(session),
    }


def _session_info(session):
    if session is None:
        return None
    return {
        "id": session.pk,
        "title": session.title,
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
        "speakers": [speaker.name for speaker in session.speakers.all()],
    }


def _questions_of(room_id, session_id, kind):
    questions = Question.objects.filter(room_id=room_id, session_id=session_id).select_related("author__profile")
    if kind == ATTENDEE:
        questions = questions.exclude(status=Question.Status.DISMISSED)
    return list(questions.order_by("-is_pinned", "-votes", "created_at")[:QUESTIONS_SHOWN])


def _question_views(questions, user_id, kind, voted):
    """The questions as `user_id` may see them, each with whether they voted for it (`voted`: {(user, question)})."""
    shown = []
    for question in questions:
        view = view_for(_question_payload(question, "question.created", seq=None), user_id, kind)
        if view is not None:
            view.pop("type")
            view["voted"] = (user_id, question.pk) in voted
            shown.append(view)
    return shown


def _events_after(room_id, since, upto, user_id, kind):
    while since < upto:
        batch = list(
            RoomEvent.objects.filter(room_id=room_id, seq__gt=since, seq__lte=upto).order_by("seq")[:REPLAY_BATCH]
        )
        if not batch:
            return
        deleted = set(_deleted_messages(room_id).filter(seq__gt=since, seq__lte=batch[-1].seq))
        for event in batch:
            if event.type == "chat.message" and event.seq in deleted:
                continue  # a moderator deleted it: its chat.deleted event comes later in the batch or the next
            view = view_for(event.payload, user_id, kind)
            if view is not None:
                yield view
        since = batch[-1].seq


def _deleted_messages(room_id):
    """The seqs of the room's chat messages a moderator deleted."""
    return ChatMessage.objects.filter(room_id=room_id, deleted_at__isnull=False).values_list("seq", flat=True)


def events_between(room_id, after, upto):
    """Stored payloads with `after < seq <= upto`, in order: how a hub fills a gap it waited for."""
    return [
        event.payload
        for event in RoomEvent.objects.filter(room_id=room_id, seq__gt=after, seq__lte=upto).order_by("seq")
    ]


def room_last_seq(room_id):
    log, _created = RoomLog.objects.get_or_create(room_id=room_id)
    return log.last_seq


# --- what each viewer sees -----------------------------------------------------------


def view_for(payload, user_id, kind):
    """The frame `user_id` (a viewer of `kind`) receives for a stored payload, or None if hidden.

    Keys starting with "_" are private to the server. A pending question is
    shown only to its author and to those who may approve it; an anonymous
    author only to the author and staff.
    """
    frame = {key: value for key, value in payload.items() if not key.startswith("_")}
    if payload.get("type") not in QUESTION_EVENTS:
        return frame
    own = payload.get("_author_id") == user_id
    if payload["status"] == Question.Status.PENDING and not own and kind == ATTENDEE:
        return None
    if payload["is_anonymous"] and not own and kind != STAFF:
        frame["author"] = None
    # Votes were room events before they were coalesced; those stored then still replay this way.
    if payload.get("_voter_id") is not None and payload["_voter_id"] == user_id:
        frame["voted"] = payload["_voted"]
    return frame


def actor_of(payload):
    """Whose action made this event: they get their own view (their vote, their anonymous question)."""
    return payload.get("_voter_id") or payload.get("_actor_id") or payload.get("_author_id")


# --- persisted events ----------------------------------------------------------------


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
            "author": _person(user),
            "body": body,
            "created_at": message.created_at.isoformat(),
            "client_id": client_id,
        }
        return {"event": record_room_event(log, "chat.message", payload), "created": True}


def _question_payload(question, type_, seq, **private):
    author = question.author
    payload = {
        "type": type_,
        "id": question.pk,
        "seq": seq,
        "body": question.body,
        "author": _person(author),
        "is_anonymous": question.is_anonymous,
        "votes": question.votes,
        "status": question.status,
        "is_pinned": question.is_pinned,
        "session_id": question.session_id,
        "created_at": question.created_at.isoformat(),
        "client_id": question.client_id,
        "_author_id": author.pk,
    }
    payload.update({f"_{key}": value for key, value in private.items()})
    return payload


def do_ask_question(user_id, room_id, kind, body, anonymous=False, client_id=None):
    """Ask the session live in the room now; in a moderated room it waits for approval.

    Returns {"event": payload, "created": bool}; a repeated client_id returns the original.
    """
    body = check_body(body, QUESTION_MAX_CHARS)
    client_id = check_client_id(client_id)
    if not isinstance(anonymous, bool):
        raise Invalid(_("anonymous must be true or false."))
    room = Room.objects.get(pk=room_id)
    with transaction.atomic():
        log = lock_room_log(room_id)
        if client_id is not None:
            earlier = Question.objects.filter(room_id=room_id, author_id=user_id, client_id=client_id).first()
            if earlier is not None:
                event = RoomEvent.objects.filter(room_id=room_id, type="question.created", payload__id=earlier.pk).get()
                return {"event": event.payload, "created": False}
        pending = room.is_moderated and kind == ATTENDEE
        question = Question.objects.create(
            room=room,
            session=live_session(room),
            author_id=user_id,
            is_anonymous=anonymous,
            body=body,
            status=Question.Status.PENDING if pending else Question.Status.APPROVED,
            client_id=client_id,
        )
        question = Question.objects.select_related("author__profile").get(pk=question.pk)
        payload = _question_payload(question, "question.created", None)
        return {"event": record_room_event(log, "question.created", payload), "created": True}


def _visible_question(log, question_id, user_id, kind):
    if not isinstance(question_id, int) or isinstance(question_id, bool):
        raise Invalid(_("question_id must be a number."))
    question = (
        Question.objects.select_for_update(of=("self",))
        .select_related("author__profile")
        .filter(pk=question_id, room_id=log.room_id)
        .first()
    )
    if question is None or (
        question.status == Question.Status.PENDING and kind == ATTENDEE and question.author_id != user_id
    ):
        raise NotFound(_("No such question in this room."))
    return question


def do_vote(user_id, room_id, kind, question_id):
    """Vote for a question, or withdraw the vote if there is one: one vote per person.

    Votes are not room events: they take no `seq` and no RoomLog lock, so a
    vote storm does not queue behind chat. The question's row lock orders the
    votes on one question (the voter's own included), so whether a vote row
    exists decides between voting and withdrawing, and the count moves by F()
    in the same transaction: it always equals the vote rows.
    Returns {"question_id", "votes", "voted"}; hubs send the new counts to the
    room coalesced (`question.votes`), room.state and question.updated carry
    the stored count.
    """
    if not isinstance(question_id, int) or isinstance(question_id, bool):
        raise Invalid(_("question_id must be a number."))
    with transaction.atomic():
        question = (
            Question.objects.select_for_update()
            .filter(pk=question_id, room_id=room_id)
            .only("pk", "status", "author_id", "votes")
            .first()
        )
        if question is None or (
            question.status == Question.Status.PENDING and kind == ATTENDEE and question.author_id != user_id
        ):
            raise NotFound(_("No such question in this room."))
        if question.status not in (Question.Status.APPROVED, Question.Status.ANSWERED):
            raise Forbidden(_("This question is not open for votes."))
        # The row lock serialises this person's own votes too, so the delete decides: withdrawn or new.
        withdrawn, _rows = QuestionVote.objects.filter(question_id=question.pk, user_id=user_id).delete()
        voted = not withdrawn
        if voted:
            QuestionVote.objects.create(question_id=question.pk, user_id=user_id)
        Question.objects.filter(pk=question.pk).update(votes=F("votes") + (1 if voted else -1))
    return {"question_id": question.pk, "votes": question.votes + (1 if voted else -1), "voted": voted}


def question_votes(room_id, question_ids):
    """{question id: stored vote count} of these questions of the room: what a hub's `question.votes` says."""
    return dict(Question.objects.filter(room_id=room_id, pk__in=question_ids).values_list("pk", "votes"))


def check_can_moderate(user_id, kind, question):
    """Staff always; otherwise the speakers of the question's session or of the session live now."""
    if kind == STAFF:
        return
    sessions = [question.session_id, getattr(live_session(question.room), "pk", None)]
    if Session.objects.filter(pk__in=[s for s in sessions if s], speakers__user_id=user_id).exists():
        return
    raise Forbidden(_("Only moderators, organisers and the session's speakers may moderate questions."))


def do_moderate(user_id, room_id, kind, question_id, action):
    """approve / answer / dismiss move the status; pin toggles the pin."""
    if action not in MODERATION_ACTIONS:
        raise Invalid(_("action must be one of %(actions)s.") % {"actions": ", ".join(MODERATION_ACTIONS)})
    with transaction.atomic():
        log = lock_room_log(room_id)
        question = _visible_question(log, question_id, user_id, kind)
        check_can_moderate(user_id, kind, question)
        if action == "pin":
            question.is_pinned = not question.is_pinned
        else:
            question.status = {
                "approve": Question.Status.APPROVED,
                "answer": Question.Status.ANSWERED,
                "dismiss": Question.Status.DISMISSED,
            }[action]
        question.save(update_fields=["status", "is_pinned", "updated_at"])
        payload = _question_payload(question, "question.updated", None, actor_id=user_id)
        payload["action"] = action
        return {"event": record_room_event(log, "question.updated", payload), "created": True}


# --- reactions -------------------------------------------------------------------


def check_emoji(emoji):
    """An emoji (with its modifiers), nothing else: reactions are not a second chat."""
    if not isinstance(emoji, str) or not 0 < len(emoji) <= 8:
        raise Invalid(_("emoji must be one emoji."))
    categories = [unicodedata.category(char) for char in emoji]
    if "So" not in categories or any(c not in ("So", "Sk", "Mn", "Me", "Cf") for c in categories):
        raise Invalid(_("emoji must be one emoji."))
    return emoji


def do_count_reactions(room_id, counts):
    """Add a window's reaction clicks to the totals kept for reports."""
    session = live_session(Room(pk=room_id))
    with transaction.atomic():
        for emoji, count in counts.items():
            tally, _created = ReactionTally.objects.get_or_create(room_id=room_id, session=session, emoji=emoji)
            ReactionTally.objects.filter(pk=tally.pk).update(count=F("count") + count)


# --- attendance --------------------------------------------------------------------


def do_leave_room(attendance_id):
    """Close the interval and fold it into the report's totals, once: only the UPDATE that closed it folds."""
    with transaction.atomic():
        if Attendance.objects.filter(pk=attendance_id, left_at__isnull=True).update(left_at=timezone.now()):
            do_fold_closed_attendance([attendance_id])


def do_heartbeat(attendance_ids):
    """Mark the sockets a process still holds as seen, then close intervals nobody refreshes any more."""
    now = timezone.now()
    if attendance_ids:
        Attendance.objects.filter(pk__in=attendance_ids, left_at__isnull=True).update(last_seen_at=now)
    return close_stale_attendance(now=now)


def close_stale_attendance(now=None, stale_after=STALE_ATTENDANCE_AFTER):
    """Close intervals left open by a process that died, at the last time it was seen.

    Safe to call from any process, beat or a management command, as often as wanted: the rows are
    locked first (skipping those another closer holds), so each is closed and folded by one caller.
    """
    cutoff = (now or timezone.now()) - stale_after
    with transaction.atomic():
        stale = list(
            Attendance.objects.select_for_update(skip_locked=True)
            .filter(left_at__isnull=True)
            .filter(Q(last_seen_at__lt=cutoff) | Q(last_seen_at__isnull=True, joined_at__lt=cutoff))
            .values_list("pk", flat=True)
        )
        Attendance.objects.filter(pk__in=stale).update(left_at=Coalesce("last_seen_at", "joined_at"))
        do_fold_closed_attendance(stale)
    return len(stale)
