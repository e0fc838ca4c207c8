"""The rules of jury scoring and the people's choice: rubric, jury, scorecards, results.

Results (docs/judging.md has the formula and a worked example):
- a scorecard's *score* is its weighted mean on 0-100: each criterion's score is
  placed on 0..1 within its own min..max, weighted, averaged, times 100;
- a pitch's *score* is the mean of its submitted scorecards' scores, *criteria* the
  mean raw score per criterion, *spread* the highest minus the lowest juror's score;
- *normalised* takes each juror's scores as z-scores over the pitches that juror
  scored (so a harsh juror's best pitch counts as their best, not as a low mark),
  maps them back onto the scale of all scores (their mean and standard deviation),
  and averages them per pitch. The ranking is by normalised score, then score.
"""

import re
import statistics
from typing import TypeGuard

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from events.models import Session
from events.services import (
    access_session,
    check_organiser,
    check_registered,
    check_registered_emails,
    check_signed_in,
    is_organiser,
)
from judging.models import Criterion, Judging, Juror, PeoplesChoice, Scorecard
from summit.csvfile import csv_text
from summit.errors import Conflict, Forbidden, Invalid, NotFound

User = get_user_model()

LANGUAGES = ("en", "fr", "zh-hans")
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_CRITERIA = 20
LABEL_MAX_CHARS = 120
MAX_SCORE_BOUND = 1000
MAX_WEIGHT = 1000
MAX_JURORS = 100
COMMENT_MAX_CHARS = 4000
RESULT_COLUMNS = ["rank", "session_id", "company", "title", "score", "normalised", "jurors", "spread", "peoples_choice"]


# --- look-ups and permissions ------------------------------------------------------


def do_ensure_judging(summit):
    """The summit's judging row, made on first use (a do_: callers about to change it lock it next)."""
    judging, _created = Judging.objects.get_or_create(summit=summit)
    return judging


def is_published(summit):
    """Whether the organisers have published the results (read-only: no Judging row is made)."""
    return Judging.objects.filter(summit=summit, published_at__isnull=False).exists()


def is_juror(user, summit):
    return user.is_authenticated and Juror.objects.filter(summit=summit, user=user).exists()


def check_juror(user, summit):
    check_signed_in(user)
    if not is_juror(user, summit):
        raise Forbidden(_("Only the summit's jurors may score pitches."))


def check_may_score(user, session):
    """A juror, and not a member of the pitching company: nobody judges their own pitch."""
    check_juror(user, session.summit)
    if session.company.members.filter(pk=user.pk).exists():
        raise Forbidden(
            _("You are a member of %(company)s: you may not score its pitch.") % {"company": session.company.name}
        )


def access_pitch(session_id):
    """A published pitch session (one with a pitching company), or NotFound / Invalid."""
    session = access_session(session_id)
    if session.company_id is None:
        raise Invalid(_("Only pitches are scored: this session has no pitching company."))
    return session


def pitches(summit):
    return list(
        Session.objects.filter(summit=summit, company__isnull=False, status=Session.Status.PUBLISHED)
        .select_related("company", "room")
        .order_by("starts_at", "pk")
    )


# --- rubric -------------------------------------------------------------------------


def check_label(label):
    """A string (the summit's main language, English here) or {language: text} with known languages."""
    if isinstance(label, str):
        label = {"en": label}
    if not isinstance(label, dict) or not label:
        raise Invalid(_("label must be text or an object of texts by language."))
    unknown = sorted(set(label) - set(LANGUAGES))
    if unknown:
        raise Invalid(_("Unknown language code: %(codes)s.") % {"codes": ", ".join(unknown)})
    cleaned = {}
    for code, text in label.items():
        if not isinstance(text, str) or not text.strip():
            raise Invalid(_("Every label needs some text."))
        if len(text.strip()) > LABEL_MAX_CHARS:
            raise Invalid(_("Keep labels under %(max)d characters.") % {"max": LABEL_MAX_CHARS})
        cleaned[code] = text.strip()
    return cleaned


def _whole(value) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def check_rubric(criteria):
    """1 to 20 criteria with distinct keys, labels, positive weights and min < max."""
    if not isinstance(criteria, list) or not 0 < len(criteria) <= MAX_CRITERIA:
        raise Invalid(_("A rubric has 1 to %(max)d criteria.") % {"max": MAX_CRITERIA})
    cleaned, keys = [], set()
    for item in criteria:
        if not isinstance(item, dict):
            raise Invalid(_("Each criterion is an object {key, label, weight, min, max}."))
        key = item.get("key")
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            raise Invalid(_("A criterion key is 1 to 40 lower-case letters, digits, - or _."))
        if key in keys:
            raise Invalid(_("Two criteria have the key “%(key)s”.") % {"key": key})
        keys.add(key)
        weight, low, high = item.get("weight"), item.get("min"), item.get("max")
        if not _whole(weight) or not 0 < weight <= MAX_WEIGHT:
            raise Invalid(
                _("The weight of “%(key)s” must be a whole number from 1 to %(max)d.") % {"key": key, "max": MAX_WEIGHT}
            )
        if not (_whole(low) and _whole(high)) or not -MAX_SCORE_BOUND <= low < high <= MAX_SCORE_BOUND:
            raise Invalid(_("The scores of “%(key)s” need whole numbers min < max.") % {"key": key})
        cleaned.append({"key": key, "label": check_label(item.get("label")), "weight": weight, "min": low, "max": high})
    return cleaned


def label_in(label, language=None):
    """The label in the reader's language, else English, else any."""
    language = language or translation.get_language() or "en"
    return label.get(language) or label.get(language.split("-")[0]) or label.get("en") or next(iter(label.values()))


def criterion_out(criterion):
    return {
        "key": criterion.key,
        "label": label_in(criterion.label),
        "label_i18n": criterion.label,
        "weight": criterion.weight,
        "min": criterion.min_score,
        "max": criterion.max_score,
    }


def rubric(summit):
    return list(Criterion.objects.filter(summit=summit).order_by("position"))


def do_set_rubric(user, summit, criteria):
    """Replace the rubric; refused (409) once any juror has scored, so no score changes meaning."""
    check_organiser(user, summit)
    cleaned = check_rubric(criteria)
    with transaction.atomic():
        judging = Judging.objects.select_for_update().get(pk=do_ensure_judging(summit).pk)
        if judging.closed_at is not None or Scorecard.objects.filter(session__summit=summit).exists():
            raise Conflict(_("Jurors have started scoring: the rubric can no longer change."))
        Criterion.objects.filter(summit=summit).delete()
        Criterion.objects.bulk_create(
            [
                Criterion(
                    summit=summit,
                    key=c["key"],
                    label=c["label"],
                    weight=c["weight"],
                    min_score=c["min"],
                    max_score=c["max"],
                    position=position,
                )
                for position, c in enumerate(cleaned)
            ]
        )
    return rubric(summit)


# --- jury ---------------------------------------------------------------------------


def jury(summit):
    return list(User.objects.filter(jury_seats__summit=summit).select_related("profile").order_by("email"))


def do_set_jury(user, summit, emails):
    """The jury is exactly these people, named by email; each must be registered for the summit (422 names
    the others, whatever their accounts, so an organiser cannot probe accounts)."""
    check_organiser(user, summit)
    if isinstance(emails, list) and len(emails) > MAX_JURORS:
        raise Invalid(_("emails must be a list of up to %(max)d email addresses.") % {"max": MAX_JURORS})
    people = check_registered_emails(summit, emails)
    with transaction.atomic():
        Juror.objects.filter(summit=summit).exclude(user__in=people).delete()
        Juror.objects.bulk_create([Juror(summit=summit, user=person) for person in people], ignore_conflicts=True)
    return jury(summit)


# --- scorecards ---------------------------------------------------------------------


def check_scores(criteria, scores, complete):
    """Whole numbers within each criterion's range, for known keys; a submitted card scores every criterion."""
    if not isinstance(scores, dict):
        raise Invalid(_("scores must be an object {criterion key: score}."))
    by_key = {c.key: c for c in criteria}
    unknown = sorted(set(scores) - set(by_key))
    if unknown:
        raise Invalid(_("No criterion has the key %(keys)s.") % {"keys": ", ".join(unknown)})
    for key, value in scores.items():
        criterion = by_key[key]
        if not _whole(value) or not criterion.min_score <= value <= criterion.max_score:
            raise Invalid(
                _("“%(key)s” takes a whole number from %(min)d to %(max)d.")
                % {"key": key, "min": criterion.min_score, "max": criterion.max_score}
            )
    missing = [c.key for c in criteria if c.key not in scores]
    if complete and missing:
        raise Invalid(_("Score every criterion before submitting: %(keys)s.") % {"keys": ", ".join(missing)})
    return {c.key: scores[c.key] for c in criteria if c.key in scores}


def scorecard_out(card, session):
    return {
        "session_id": session.pk,
        "scores": card.scores if card else {},
        "comment": card.comment if card else "",
        "status": card.status if card else None,
        "updated_at": card.updated_at.isoformat() if card else None,
    }


def access_own_scorecard(user, session_id):
    session = access_pitch(session_id)
    check_may_score(user, session)
    return session, Scorecard.objects.filter(session=session, juror=user).first()


def do_score(user, session_id, scores, comment="", submit=True):
    """Save this juror's scores for a pitch; 409 once judging is closed.

    `submit=True` submits the card (every criterion scored); `submit=False` saves a draft, except that a
    card already submitted stays submitted, and so counted, with the new scores (which must still be
    complete): only `do_withdraw_scorecard` turns a submitted card back into a draft, on purpose.
    """
    session = access_pitch(session_id)
    check_may_score(user, session)
    criteria = rubric(session.summit)
    if not criteria:
        raise Conflict(_("The organisers have not set the rubric yet."))
    if comment is None:
        comment = ""
    if not isinstance(comment, str) or len(comment) > COMMENT_MAX_CHARS:
        raise Invalid(_("Keep the comment under %(max)d characters.") % {"max": COMMENT_MAX_CHARS})
    if not isinstance(submit, bool):
        raise Invalid(_("submit must be true or false."))
    with transaction.atomic():
        judging = Judging.objects.select_for_update().get(pk=do_ensure_judging(session.summit).pk)
        if judging.closed_at is not None:
            raise Conflict(_("Judging is closed: scores can no longer change."))
        was_submitted = Scorecard.objects.filter(
            session=session, juror=user, status=Scorecard.Status.SUBMITTED
        ).exists()
        stays_submitted = submit or was_submitted
        cleaned = check_scores(criteria, scores, complete=stays_submitted)
        card, _created = Scorecard.objects.update_or_create(
            session=session,
            juror=user,
            defaults={
                "scores": cleaned,
                "comment": comment.strip(),
                "status": Scorecard.Status.SUBMITTED if stays_submitted else Scorecard.Status.DRAFT,
            },
        )
    return session, card


def do_withdraw_scorecard(user, session_id):
    """The juror takes their submitted card back: it becomes a draft and stops counting (409 once closed).

    Withdrawing a draft changes nothing; there is no card to withdraw before the first save (404).
    """
    session = access_pitch(session_id)
    check_may_score(user, session)
    with transaction.atomic():
        judging = Judging.objects.select_for_update().get(pk=do_ensure_judging(session.summit).pk)
        if judging.closed_at is not None:
            raise Conflict(_("Judging is closed: scores can no longer change."))
        card = Scorecard.objects.select_for_update().filter(session=session, juror=user).first()
        if card is None:
            raise NotFound(_("You have no scorecard for this pitch yet."))
        if card.status != Scorecard.Status.DRAFT:
            card.status = Scorecard.Status.DRAFT
            card.save(update_fields=["status", "updated_at"])
    return session, card


def juror_pitches(user, summit):
    """The summit's pitches with this juror's own scorecard (or None) beside each, leaving out the pitches
    of the juror's own companies."""
    check_juror(user, summit)
    cards = {card.session_id: card for card in Scorecard.objects.filter(juror=user, session__summit=summit)}
    own = set(summit.companies.filter(members=user).values_list("pk", flat=True))
    return [(session, cards.get(session.pk)) for session in pitches(summit) if session.company_id not in own]


# --- closing, publishing --------------------------------------------------------------


def do_close_judging(user, summit):
    check_organiser(user, summit)
    with transaction.atomic():
        judging = Judging.objects.select_for_update().get(pk=do_ensure_judging(summit).pk)
        if judging.closed_at is None:
            judging.closed_at = timezone.now()
            judging.save(update_fields=["closed_at"])
    return judging


def do_publish_results(user, summit):
    """Each pitching company may then see its own result; only once judging is closed."""
    check_organiser(user, summit)
    with transaction.atomic():
        judging = Judging.objects.select_for_update().get(pk=do_ensure_judging(summit).pk)
        if judging.closed_at is None:
            raise Conflict(_("Close judging before publishing the results."))
        if judging.published_at is None:
            judging.published_at = timezone.now()
            judging.save(update_fields=["published_at"])
    return judging


def judging_status(summit):
    """Reads only: a summit whose judging row is not made yet is open and unpublished."""
    judging = Judging.objects.filter(summit=summit).first() or Judging(summit=summit)
    return {
        "closed": judging.closed_at is not None,
        "closed_at": judging.closed_at.isoformat() if judging.closed_at else None,
        "published": judging.published_at is not None,
        "published_at": judging.published_at.isoformat() if judging.published_at else None,
    }


# --- results --------------------------------------------------------------------------


def weighted_score(criteria, scores):
    """0-100: each criterion's score placed on 0..1 within its range, weighted, averaged."""
    total_weight = sum(c.weight for c in criteria)
    points = sum(c.weight * (scores[c.key] - c.min_score) / (c.max_score - c.min_score) for c in criteria)
    return 100 * points / total_weight


def normalised_scores(totals):
    """{(juror, pitch): total} -> {(juror, pitch): normalised}: each juror's z-scores mapped onto all scores' scale.

    A juror who scored a single pitch, or gave every pitch the same score,
    says nothing about order: their z-score is 0 (the overall mean).
    """
    if not totals:
        return {}
    overall_mean = statistics.fmean(totals.values())
    overall_sd = statistics.pstdev(totals.values())
    by_juror = {}
    for (juror, _pitch), total in totals.items():
        by_juror.setdefault(juror, []).append(total)
    shape = {juror: (statistics.fmean(values), statistics.pstdev(values)) for juror, values in by_juror.items()}
    normalised = {}
    for (juror, pitch), total in totals.items():
        mean, sd = shape[juror]
        z = (total - mean) / sd if sd > 0 else 0.0
        normalised[(juror, pitch)] = overall_mean + overall_sd * z
    return normalised


def results(summit):
    """One row per pitch, best first: [{session_id, company, title, score, normalised, criteria, jurors,
    spread, peoples_choice}]. Only submitted scorecards of current jurors count. Four queries."""
    criteria = rubric(summit)
    cards = list(
        Scorecard.objects.filter(
            session__summit=summit, status=Scorecard.Status.SUBMITTED, juror__jury_seats__summit=summit
        ).values_list("juror_id", "session_id", "scores")
    )
    votes = dict(
        PeoplesChoice.objects.filter(summit=summit)
        .values("session")
        .annotate(n=Count("pk"))
        .values_list("session", "n")
    )
    sessions = pitches(summit)
    totals, raw = {}, {}
    for juror_id, session_id, scores in cards:
        if criteria and all(c.key in scores for c in criteria):
            totals[(juror_id, session_id)] = weighted_score(criteria, scores)
            raw.setdefault(session_id, []).append(scores)
    normalised = normalised_scores(totals)
    rows = []
    for session in sessions:
        mine = [total for (_juror, pitch), total in totals.items() if pitch == session.pk]
        fair = [value for (_juror, pitch), value in normalised.items() if pitch == session.pk]
        rows.append(
            {
                "session_id": session.pk,
                "company": session.company.slug,
                "company_name": session.company.name,
                "title": session.title,
                "score": round(statistics.fmean(mine), 1) if mine else None,
                "normalised": round(statistics.fmean(fair), 1) if fair else None,
                "criteria": {
                    c.key: round(statistics.fmean(s[c.key] for s in raw[session.pk]), 2)
                    for c in criteria
                    if session.pk in raw
                },
                "jurors": len(mine),
                "spread": round(max(mine) - min(mine), 1) if mine else None,
                "peoples_choice": votes.get(session.pk, 0),
            }
        )
    rows.sort(key=lambda r: (r["normalised"] is None, -(r["normalised"] or 0), -(r["score"] or 0), r["session_id"]))
    return rows


def access_results(user, summit):
    """Organisers see every pitch; once published, a company's members see their own pitches' rows."""
    check_signed_in(user)
    if is_organiser(user, summit):
        return results(summit)
    if is_published(summit):
        own = set(summit.companies.filter(members=user).values_list("slug", flat=True))
        if own:
            return [row for row in results(summit) if row["company"] in own]
    raise Forbidden(_("Only the organisers see the jury's results, and each company its own once published."))


def comments(summit):
    """{session_id: [(juror name, comment)]}: the jurors' comments, for the organisers' page only."""
    found = {}
    for card in (
        Scorecard.objects.filter(session__summit=summit)
        .exclude(comment="")
        .select_related("juror__profile")
        .order_by("session_id", "juror_id")
    ):
        profile = getattr(card.juror, "profile", None)
        found.setdefault(card.session_id, []).append(
            (profile.name if profile else card.juror.get_username(), card.comment)
        )
    return found


def ranked(rows):
    """The rows with their rank; a pitch nobody scored has none (""): it is listed last, unranked."""
    return [{**row, "rank": rank if row["jurors"] else ""} for rank, row in enumerate(rows, start=1)]


def results_csv(rows):
    return csv_text(RESULT_COLUMNS, ranked(rows))


# --- people's choice ------------------------------------------------------------------


def do_choose_peoples_choice(user, summit, session_id):
    """One favourite pitch per registered person per summit, never their own company's; choosing again
    replaces it."""
    check_registered(user, summit)
    if not _whole(session_id):
        raise Invalid(_("session_id must be a number."))
    try:
        session = access_pitch(session_id)
    except NotFound:
        raise Invalid(_("No such pitch in this summit.")) from None
    if session.summit_id != summit.pk:
        raise Invalid(_("No such pitch in this summit."))
    if session.company.members.filter(pk=user.pk).exists():
        raise Forbidden(
            _("You are a member of %(company)s: vote for another company's pitch.") % {"company": session.company.name}
        )
    choice, _created = PeoplesChoice.objects.update_or_create(summit=summit, user=user, defaults={"session": session})
    return choice
