"""Live Q&A: asking, voting (a vote is no room event: counts are coalesced) and moderation."""

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from events.models import Room, Session
from events.services import (
    live_session,
)
from livechat.models import (
    Question,
    QuestionVote,
    RoomEvent,
)
from livechat.services.limits import ATTENDEE, MODERATION_ACTIONS, QUESTION_MAX_CHARS, STAFF
from livechat.services.room_log import check_body, check_client_id, lock_room_log, record_room_event
from livechat.services.visibility import author_view
from summit.errors import Forbidden, Invalid, NotFound


def question_payload(question, type_, seq, **private):
    author = question.author
    payload = {
        "type": type_,
        "id": question.pk,
        "seq": seq,
        "body": question.body,
        "author": author_view(author),
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
        payload = question_payload(question, "question.created", None)
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
        payload = question_payload(question, "question.updated", None, actor_id=user_id)
        payload["action"] = action
        return {"event": record_room_event(log, "question.updated", payload), "created": True}
