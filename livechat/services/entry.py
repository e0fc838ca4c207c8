"""Entering a room: the attendance rows, `room.state` for each joiner, and the events a reconnecting
socket missed (`?since=`)."""

from django.utils import timezone

from livechat.models import (
    Attendance,
    ChatMessage,
    Question,
    QuestionVote,
    RoomEvent,
    RoomLog,
)
from livechat.services.limits import ATTENDEE, QUESTIONS_SHOWN, RECENT_MESSAGES, REPLAY_BATCH
from livechat.services.questions import question_payload
from livechat.services.visibility import view_for
from livechat.signals import room_state_parts


def do_enter_room_together(room_id, server, joins):
    """Record several joins of one room at once and return each one's `room.state` and replay, in order.

    `joins` is [(user_id, kind, session_id, since, language)] (language may be left out: the
    original texts of what is written per language, polls); the answer is one
    {"attendance_id", "state", "replay"} per join. One call, so every state,
    `last_seq` and replay come from one moment; the attendance rows go in as
    one insert and the recent chat and questions are read once for all, so a
    join storm costs a few queries per batch rather than per person. The room
    and its live session were looked up by `access_live_room` (at most
    ROOM_FACTS_TTL ago).
    """
    joins = [(*join, None)[:5] for join in joins]
    now = timezone.now()
    rows = Attendance.objects.bulk_create(
        [
            Attendance(
                user_id=user_id, room_id=room_id, session_id=session_id, joined_at=now, last_seen_at=now, server=server
            )
            for user_id, _kind, session_id, _since, _language in joins
        ]
    )
    # A room's log is made on its first entry, so looking a room up never writes.
    last_seq = RoomLog.objects.get_or_create(room_id=room_id)[0].last_seq
    recent = _recent_messages(room_id, last_seq)
    questions = {}
    for _user_id, kind, session_id, _since, _language in joins:
        if (session_id, kind == ATTENDEE) not in questions:
            questions[session_id, kind == ATTENDEE] = _questions_of(room_id, session_id, kind)
    voted = set(
        QuestionVote.objects.filter(
            user_id__in={join[0] for join in joins},
            question__in={question.pk for shown in questions.values() for question in shown},
        ).values_list("user_id", "question_id")
    )
    parts = room_state_parts_for(
        room_id, [(user_id, kind) for user_id, kind, *_rest in joins], [join[4] for join in joins]
    )
    entered = []
    for row, (user_id, kind, session_id, since, language), part in zip(rows, joins, parts, strict=True):
        state = {
            "last_seq": last_seq,
            "messages": [view_for(payload, user_id, kind) for payload in recent],
            "questions": _question_views(questions[session_id, kind == ATTENDEE], user_id, kind, voted),
            **part,
        }
        replay = [] if since is None else list(_events_after(room_id, since, last_seq, user_id, kind, language))
        entered.append({"attendance_id": row.pk, "state": state, "replay": replay})
    return entered


def room_state(room_id, session_id, user_id, kind, language=None):
    """What a viewer of `kind` sees of the room now (a socket whose rights changed): as at entry, no replay.

    A reader: a room with no log yet has had no event (`last_seq` 0)."""
    last_seq = room_last_seq(room_id)
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
        **room_state_parts_for(room_id, [(user_id, kind)], [language])[0],
    }


def room_state_parts_for(room_id, viewers, languages=None):
    """[{key: part}] for `viewers` [(user_id, kind)] reading `languages` (one each, or None), in order: what
    other apps add to `room.state`."""
    built = {}
    languages = list(languages or [None] * len(viewers))
    for part in room_state_parts.parts(room_id=room_id, viewers=viewers, languages=languages):
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


def _questions_of(room_id, session_id, kind):
    questions = Question.objects.filter(room_id=room_id, session_id=session_id).select_related("author__profile")
    if kind == ATTENDEE:
        questions = questions.exclude(status=Question.Status.DISMISSED)
    return list(questions.order_by("-is_pinned", "-votes", "created_at")[:QUESTIONS_SHOWN])


def _question_views(questions, user_id, kind, voted):
    """The questions as `user_id` may see them, each with whether they voted for it (`voted`: {(user, question)})."""
    shown = []
    for question in questions:
        view = view_for(question_payload(question, "question.created", seq=None), user_id, kind)
        if view is not None:
            view.pop("type")
            view["voted"] = (user_id, question.pk) in voted
            shown.append(view)
    return shown


def _events_after(room_id, since, upto, user_id, kind, language=None):
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
            view = view_for(event.payload, user_id, kind, language)
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
    """The room's last `seq`, 0 before its first event; reads only (the log row is made by the first writer)."""
    return RoomLog.objects.filter(room_id=room_id).values_list("last_seq", flat=True).first() or 0
