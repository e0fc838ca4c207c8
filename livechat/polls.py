"""The rules of live polls: who may run them, one ballot per person, and counts read from the ballots.

A poll's creation and its closing are persisted room events (`poll.created`,
`poll.updated`) under the room's next `seq`, like questions, so `?since=`
replays them. Ballots are not room events: a storm of votes must not queue
behind the room's event lock. Each ballot is one row per (poll, person),
enforced by a unique constraint, and the counts are always a grouped count
over those rows, so a vote is applied once whatever the concurrency: nothing
is incremented in place, nothing can drift. Live counts reach the room as
ephemeral `poll.results`, coalesced per room and tick (livechat/modules/polls.py).

A vote holds a shared lock on its poll row and closing takes an exclusive one
(PostgreSQL), so a ballot either lands before the close and is in the final
counts, or is refused as closed: never stored after the final count.
"""

from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Room, Session, Summit
from events.services import live_session
from livechat.models import Poll, PollBallot, PollChoice, PollOption, RoomEvent
from livechat.services import STAFF, TooLarge, check_client_id, lock_room_log, record_room_event, view_for
from summit.errors import Forbidden, Invalid, NotFound

QUESTION_MAX_CHARS = 300
OPTION_MAX_CHARS = 200
MIN_OPTIONS, MAX_OPTIONS = 2, 10


# --- checks --------------------------------------------------------------------------


def poll_languages(summit):
    """The summit's languages, its main one first: what its polls may be written in (the moderator's form
    offers them in this order)."""
    return (summit.language, *(code for code in summit.languages or () if code != summit.language))


def _check_texts(value, languages, max_chars, *, missing, empty_in, wrong_type, too_long):
    """A text (the main language's) or {language code: text} in the summit's languages: {code: text}, trimmed,
    in the summit's order. Every text given must be non-empty and short enough."""
    if isinstance(value, str):
        if not value.strip():
            raise Invalid(missing)
        value = {languages[0]: value}
    if value is None or value == {}:
        raise Invalid(missing)
    if not isinstance(value, dict):
        raise Invalid(wrong_type)
    unknown = sorted(str(code)[:20] for code in value if code not in languages)
    if unknown:
        raise Invalid(
            _("Unknown language %(unknown)s in the poll; this summit runs in %(codes)s.")
            % {"unknown": ", ".join(f"“{code}”" for code in unknown), "codes": ", ".join(languages)}
        )
    texts = {}
    for code in languages:
        if code not in value:
            continue
        text = value[code]
        if not isinstance(text, str):
            raise Invalid(wrong_type)
        if not text.strip():
            raise Invalid(empty_in % {"code": code})
        if len(text.strip()) > max_chars:
            raise TooLarge(too_long)
        texts[code] = text.strip()
    return texts


def check_poll_question(question, languages=("en",)):
    """The question's texts {code: text}: one string (the summit's main language) or one per language."""
    return _check_texts(
        question,
        languages,
        QUESTION_MAX_CHARS,
        missing=_("A poll needs a question."),
        empty_in=_("The question in “%(code)s” is empty: write it or leave that language out."),
        wrong_type=_("The question must be text, or texts keyed by language code."),
        too_long=_("Keep the question under %(max)d characters.") % {"max": QUESTION_MAX_CHARS},
    )


def check_poll_options(options, languages=("en",)):
    """2 to 10 options in the order given, each a label or {code: label}; distinct labels in each language."""
    if not isinstance(options, list) or not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise Invalid(_("A poll has %(min)d to %(max)d options.") % {"min": MIN_OPTIONS, "max": MAX_OPTIONS})
    checked = []
    for option in options:
        labels = _check_texts(
            option,
            languages,
            OPTION_MAX_CHARS,
            missing=_("Every option needs a label."),
            empty_in=_("An option in “%(code)s” is empty: write it or leave that language out."),
            wrong_type=_("Every option must be text, or texts keyed by language code."),
            too_long=_("Keep each option under %(max)d characters.") % {"max": OPTION_MAX_CHARS},
        )
        for earlier in checked:
            same = next((label for code, label in labels.items() if earlier.get(code) == label), None)
            if same is not None:
                raise Invalid(_("Two options say the same thing: “%(label)s”.") % {"label": same[:40]})
        checked.append(labels)
    return checked


def original_text(texts):
    """The text every language without its own reads: the main language's if written, else the first written."""
    return next(iter(texts.values()))


def check_can_run_polls(user_id, kind, room_id, poll=None):
    """Moderators and organisers anywhere; speakers of the session live in the room (or of the poll's session)."""
    if kind == STAFF:
        return
    sessions = [getattr(live_session(Room(pk=room_id)), "pk", None), getattr(poll, "session_id", None)]
    if Session.objects.filter(pk__in=[s for s in sessions if s], speakers__user_id=user_id).exists():
        return
    raise Forbidden(_("Only moderators, organisers and the session's speakers may run polls."))


def _check_id(value, field):
    if not isinstance(value, int) or isinstance(value, bool):
        raise Invalid(_("%(field)s must be a number.") % {"field": field})
    return value


def check_ballot(poll, option_ids, option_pks):
    """The options ticked: known to this poll, no repeats, exactly one on a single-choice poll."""
    if not isinstance(option_ids, list) or not option_ids:
        raise Invalid(_("option_ids must list the options you choose."))
    for option_id in option_ids:
        _check_id(option_id, "option_ids")
    if len(set(option_ids)) != len(option_ids):
        raise Invalid(_("Each option counts once: option_ids has a repeat."))
    if not poll.multiple and len(option_ids) != 1:
        raise Invalid(_("This poll takes exactly one option."))
    if not set(option_ids) <= set(option_pks):
        raise Invalid(_("That option is not part of this poll."))
    return sorted(option_ids, key=option_pks.index)


# --- what the room sees --------------------------------------------------------------


def _counts(poll_ids):
    """{poll_id: ([(option_id, label, votes, {code: label})] in order, voters)}: two grouped queries, whatever the
    number of votes."""
    options = (
        PollOption.objects.filter(poll_id__in=poll_ids)
        .annotate(votes=Count("choices"))
        .order_by("poll_id", "position")
        .values_list("poll_id", "pk", "label", "votes", "label_i18n")
    )
    voters = dict(
        PollBallot.objects.filter(poll_id__in=poll_ids)
        .values("poll_id")
        .annotate(n=Count("pk"))
        .values_list("poll_id", "n")
    )
    counts = {poll_id: ([], voters.get(poll_id, 0)) for poll_id in poll_ids}
    for poll_id, option_id, label, votes, labels in options:
        counts[poll_id][0].append((option_id, label, votes, labels))
    return counts


def _poll_payload(poll, type_, counts):
    options, voters = counts
    return {
        "type": type_,
        "id": poll.pk,
        "question": poll.question,
        "options": [{"id": pk, "label": label, "votes": votes} for pk, label, votes, _labels in options],
        "multiple": poll.multiple,
        "status": poll.status,
        "voters": voters,
        "session_id": poll.session_id,
        "client_id": poll.client_id,
        "created_at": poll.created_at.isoformat(),
        # Each text in every language it was written in; each viewer reads their own (services.view_for).
        "_i18n": {
            "question": poll.question_i18n or {},
            "options": [labels or {} for _pk, _label, _votes, labels in options],
        },
    }


def poll_results(room_id, poll_ids):
    """`poll.results` frames for these polls of the room, counted now from the ballots."""
    ids = list(Poll.objects.filter(room_id=room_id, pk__in=poll_ids).values_list("pk", flat=True))
    return [
        {
            "type": "poll.results",
            "id": poll_id,
            "options": [{"id": pk, "votes": votes} for pk, _label, votes, _labels in options],
            "voters": voters,
        }
        for poll_id, (options, voters) in sorted(_counts(ids).items())
    ]


def polls_for(room_id, viewers, languages=None):
    """`room.state.polls` of each viewer [(user_id, kind)], reading `languages` (one per viewer; None: the
    original texts): every poll of the session live in the room, oldest first, with its counts and the
    viewer's own ballot."""
    session = live_session(Room(pk=room_id))
    polls = list(Poll.objects.filter(room_id=room_id, session=session).order_by("created_at", "pk"))
    counts = _counts([poll.pk for poll in polls])
    mine = {}
    for user_id, poll_id, option_id in (
        PollChoice.objects.filter(ballot__user_id__in={user_id for user_id, _kind in viewers}, ballot__poll__in=polls)
        .order_by("option__position")
        .values_list("ballot__user_id", "ballot__poll_id", "option_id")
    ):
        mine.setdefault((user_id, poll_id), []).append(option_id)
    payloads = [_poll_payload(poll, "poll", counts[poll.pk]) for poll in polls]
    views = {}  # (kind, language) -> the polls as they read: built once per distinct reader, not per viewer
    answer = []
    for (user_id, kind), language in zip(viewers, languages or [None] * len(viewers), strict=True):
        if (kind, language) not in views:
            views[kind, language] = [view_for(payload, None, kind, language) for payload in payloads]
            for view in views[kind, language]:
                view.pop("type")
        answer.append([{**view, "ballot": mine.get((user_id, view["id"]))} for view in views[kind, language]])
    return answer


# --- changes -------------------------------------------------------------------------


def do_create_poll(user_id, room_id, kind, question, options, multiple=False, client_id=None):
    """Open a poll for the session live in the room; a repeated client_id returns the original.

    Returns {"event": payload, "created": bool}.
    """
    languages = poll_languages(Summit.objects.only("language", "languages").get(rooms__pk=room_id))
    question = check_poll_question(question, languages)
    labels = check_poll_options(options, languages)
    if not isinstance(multiple, bool):
        raise Invalid(_("multiple must be true or false."))
    client_id = check_client_id(client_id)
    check_can_run_polls(user_id, kind, room_id)
    with transaction.atomic():
        log = lock_room_log(room_id)
        if client_id is not None:
            earlier = Poll.objects.filter(room_id=room_id, author_id=user_id, client_id=client_id).first()
            if earlier is not None:
                event = RoomEvent.objects.get(room_id=room_id, type="poll.created", payload__id=earlier.pk)
                return {"event": event.payload, "created": False}
        poll = Poll.objects.create(
            room_id=room_id,
            session=live_session(Room(pk=room_id)),
            author_id=user_id,
            question=original_text(question),
            question_i18n=question,
            multiple=multiple,
            client_id=client_id,
        )
        PollOption.objects.bulk_create(
            [
                PollOption(poll=poll, position=position, label=original_text(texts), label_i18n=texts)
                for position, texts in enumerate(labels)
            ]
        )
        payload = _poll_payload(poll, "poll.created", _counts([poll.pk])[poll.pk])
        return {"event": record_room_event(log, "poll.created", payload), "created": True}


def _poll_for_vote(room_id, poll_id):
    """The poll, share-locked on PostgreSQL: votes run side by side, a close waits for them (and they for it)."""
    polls = Poll.objects.filter(pk=poll_id, room_id=room_id)
    if connection.vendor == "postgresql":
        table = Poll._meta.db_table
        polls = Poll.objects.raw(f"SELECT * FROM {table} WHERE id = %s AND room_id = %s FOR SHARE", [poll_id, room_id])
    poll = next(iter(polls), None)
    if poll is None:
        raise NotFound(_("No such poll in this room."))
    return poll


def do_vote_in_poll(user_id, room_id, poll_id, option_ids):
    """Cast or replace this person's ballot while the poll is open.

    Returns {"poll_id", "option_ids"}: what the voter's own socket is told.
    """
    _check_id(poll_id, "poll_id")
    with transaction.atomic():
        poll = _poll_for_vote(room_id, poll_id)
        if poll.status != Poll.Status.OPEN:
            raise Invalid(_("This poll is closed."))
        option_pks = list(poll.options.order_by("position").values_list("pk", flat=True))
        chosen = check_ballot(poll, option_ids, option_pks)
        ballot = PollBallot.objects.select_for_update().filter(poll=poll, user_id=user_id).first()
        replacing = ballot is not None
        if ballot is None:
            try:
                with transaction.atomic():
                    ballot = PollBallot.objects.create(poll=poll, user_id=user_id)
            except IntegrityError:  # the same person's first ballot from another tab, just now
                ballot = PollBallot.objects.select_for_update().get(poll=poll, user_id=user_id)
                replacing = True
        if replacing:
            PollChoice.objects.filter(ballot=ballot).delete()
            ballot.save(update_fields=["updated_at"])
        PollChoice.objects.bulk_create([PollChoice(ballot=ballot, option_id=option_id) for option_id in chosen])
    return {"poll_id": poll.pk, "option_ids": chosen}


def do_close_poll(user_id, room_id, kind, poll_id):
    """Close the poll with its final counts; closing a closed poll is refused."""
    _check_id(poll_id, "poll_id")
    with transaction.atomic():
        log = lock_room_log(room_id)
        poll = Poll.objects.select_for_update().filter(pk=poll_id, room_id=room_id).first()
        if poll is None:
            raise NotFound(_("No such poll in this room."))
        check_can_run_polls(user_id, kind, room_id, poll)
        if poll.status == Poll.Status.CLOSED:
            raise Invalid(_("This poll is already closed."))
        poll.status = Poll.Status.CLOSED
        poll.closed_at = timezone.now()
        poll.save(update_fields=["status", "closed_at"])
        payload = _poll_payload(poll, "poll.updated", _counts([poll.pk])[poll.pk])
        return {"event": record_room_event(log, "poll.updated", payload), "created": True}


# --- reports -------------------------------------------------------------------------


def summit_poll_results(summit_id):
    """{session_id: [{question, multiple, status, voters, options: [{label, votes}]}]} for a summit's report.

    At most three queries, whatever the number of polls and ballots.
    """
    polls = list(Poll.objects.filter(room__summit_id=summit_id, session__isnull=False).order_by("created_at", "pk"))
    counts = _counts([poll.pk for poll in polls])
    by_session = {}
    for poll in polls:
        options, voters = counts[poll.pk]
        by_session.setdefault(poll.session_id, []).append(
            {
                "question": poll.question,
                "multiple": poll.multiple,
                "status": poll.status,
                "voters": voters,
                "options": [{"label": label, "votes": votes} for _pk, label, votes, _labels in options],
            }
        )
    return by_session
