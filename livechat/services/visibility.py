"""What each viewer sees of a stored event: pending and anonymous questions are shown only to those
who may see them."""

from django.utils import translation

from livechat.models import (
    Question,
)
from livechat.services.limits import ATTENDEE, QUESTION_EVENTS, STAFF

# How a person who deleted their account appears beside what they wrote (pages show "deleted user").
DELETED_AUTHOR = {"id": None, "name": "", "organisation": "", "deleted": True}


def author_view(user):
    profile = getattr(user, "profile", None)  # select_related("profile") saves the query
    if profile is None and not user.is_active:
        return dict(DELETED_AUTHOR)
    return {
        "id": user.pk,
        "name": profile.name if profile else user.get_username(),
        "organisation": profile.organisation if profile else "",
    }


def room_info_in(language, room, session):
    with translation.override(language):
        return room_info(room, session)


def room_info(room, session):
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


def view_for(payload, user_id, kind, language=None):
    """The frame `user_id` (a viewer of `kind`, reading `language`) receives for a stored payload, or None if
    hidden.

    Keys starting with "_" are private to the server. A pending question is
    shown only to its author and to those who may approve it; an anonymous
    author only to the author and staff. A poll's texts are in `language`
    where it was written in it, else in its original text (`poll_in`).
    """
    frame = {key: value for key, value in payload.items() if not key.startswith("_")}
    if "_i18n" in payload:
        return poll_in(frame, payload["_i18n"], language, every_language=kind != ATTENDEE)
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


def poll_in(frame, texts, language, every_language=False):
    """A poll frame with its question and labels in `language`, each falling back to its original text.

    `texts` is {"question": {code: text}, "options": [{code: label}, ...]} in the options' order. Those who
    may run polls (`every_language`: every viewer but attendees) also get every language's text:
    `question_i18n`, and `label_i18n` on each option.
    """
    question = texts["question"]
    frame["question"] = question.get(language) or frame["question"]
    options = []
    for option, labels in zip(frame["options"], texts["options"], strict=True):
        option = {**option, "label": labels.get(language) or option["label"]}
        if every_language:
            option["label_i18n"] = labels
        options.append(option)
    frame["options"] = options
    if every_language:
        frame["question_i18n"] = question
    return frame


def languages_of(payload):
    """The languages a stored event reads differently in (a poll's), sorted; () for everything else."""
    texts = payload.get("_i18n")
    if texts is None:
        return ()
    return tuple(sorted({code for labels in (texts["question"], *texts["options"]) for code in labels}))


def actor_of(payload):
    """Whose action made this event: they get their own view (their vote, their anonymous question)."""
    return payload.get("_voter_id") or payload.get("_actor_id") or payload.get("_author_id")
