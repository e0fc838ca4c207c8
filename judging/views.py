"""Judging pages: plain forms over the same services as the API, no script needed.

Organisers get the ranking (with the jurors' private comments), the CSV, the
jury and the close/publish buttons; jurors get their list of pitches and a
scoring form, which is also drawn beside the stage of a pitch room (the
livechat room page's `stage_panels` signal, connected in apps.py).
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from events.models import Registration
from events.services import access_summit, check_organiser, do_invite_to_register, registered_people_by_email
from judging import services
from judging.models import PeoplesChoice
from summit.errors import Invalid, NotSignedIn, ServiceError


def _refused(request, error):
    """A refused form comes back to its page with the reason; someone signed out is sent to sign in."""
    if isinstance(error, NotSignedIn):
        raise error
    messages.error(request, error.detail)


def _back(request, fallback):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


def _criteria_rows(criteria, scores):
    return [{**services.criterion_out(c), "value": scores.get(c.key, "")} for c in criteria]


# --- organisers ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def results_page(request, slug):
    summit = access_summit(slug)
    check_organiser(request.user, summit)
    typed, not_registered = None, []
    if request.method == "POST":
        typed = request.POST.get("emails", "")
        emails = [line.strip() for line in typed.replace(",", "\n").splitlines() if line.strip()]
        try:
            if request.POST.get("action") == "invite":
                invited = do_invite_to_register(request.user, summit, emails)
                messages.success(
                    request,
                    _("Invitations to register are on their way to %(emails)s.") % {"emails": ", ".join(invited)},
                )
                return redirect("judging-results", slug)
            services.do_set_jury(request.user, summit, emails)
            messages.success(request, _("The jury is saved."))
            return redirect("judging-results", slug)
        except ServiceError as error:
            _refused(request, error)
            # The list comes back as typed, with the addresses to invite, so nothing typed is lost.
            not_registered = _not_registered(summit, emails)
    criteria = services.rubric(summit)
    rows = services.results(summit)
    comments = services.comments(summit)
    context = {
        "summit": summit,
        "criteria": [services.criterion_out(c) for c in criteria],
        "rows": [
            {
                **row,
                "criteria_means": [row["criteria"].get(c.key) for c in criteria],
                "comments": comments.get(row["session_id"], []),
            }
            for row in services.ranked(rows)
        ],
        "jury": services.jury(summit),
        "typed_emails": typed,
        "not_registered": not_registered,
        "status": services.judging_status(summit),
    }
    return render(request, "judging/results.html", context, status=422 if typed is not None else 200)


def _not_registered(summit, emails):
    try:
        return registered_people_by_email(summit, emails)[1]
    except ServiceError:  # a malformed address: the message already names it
        return []


RUBRIC_SPARE_ROWS = 3
LABEL_FIELDS = {"en": "label_en", "fr": "label_fr", "zh-hans": "label_zh"}  # form field of each language


@require_http_methods(["GET", "POST"])
def rubric_page(request, slug):
    """The organisers set the rubric in a plain form: a row per criterion, spare rows to add some; a row whose
    key is left empty is dropped. A refused rubric comes back as typed, with the reason (422)."""
    summit = access_summit(slug)
    check_organiser(request.user, summit)
    status = 200
    if request.method == "POST":
        rows = _posted_rubric(request)
        try:
            services.do_set_rubric(request.user, summit, [_criterion_in(row) for row in rows if row["key"]])
            messages.success(request, _("The rubric is saved."))
            return redirect("judging-rubric", slug)
        except ServiceError as error:
            _refused(request, error)
            status = 422
    else:
        rows = [
            {
                "key": c.key,
                **{field: c.label.get(code, "") for code, field in LABEL_FIELDS.items()},
                "weight": c.weight,
                "min": c.min_score,
                "max": c.max_score,
            }
            for c in services.rubric(summit)
        ]
    rows += [{"key": "", "weight": "", "min": 1, "max": 10}] * (RUBRIC_SPARE_ROWS if request.method == "GET" else 0)
    context = {"summit": summit, "rows": rows}
    return render(request, "judging/rubric.html", context, status=status)


def _posted_rubric(request):
    fields = ["key", *LABEL_FIELDS.values(), "weight", "min", "max"]
    columns = {name: request.POST.getlist(name) for name in fields}
    count = max(len(values) for values in columns.values())
    return [
        {name: (columns[name][n].strip() if n < len(columns[name]) else "") for name in fields} for n in range(count)
    ]


def _criterion_in(row):
    """A posted row as the API's criterion; a number that is not whole is left as typed, for the service to refuse."""

    def number(text):
        try:
            return int(text)
        except ValueError:
            return text

    label = {code: row[field] for code, field in LABEL_FIELDS.items() if row[field]}
    return {
        "key": row["key"],
        "label": label,
        "weight": number(row["weight"]),
        "min": number(row["min"]),
        "max": number(row["max"]),
    }


@require_POST
def close_judging(request, slug):
    summit = access_summit(slug)
    services.do_close_judging(request.user, summit)
    messages.success(request, _("Judging is closed: scores can no longer change."))
    return redirect("judging-results", slug)


@require_POST
def publish_results(request, slug):
    summit = access_summit(slug)
    try:
        services.do_publish_results(request.user, summit)
        messages.success(request, _("Results are published: each company now sees its own."))
    except ServiceError as error:
        _refused(request, error)
    return redirect("judging-results", slug)


# --- jurors -------------------------------------------------------------------------


def juror_pitches(request, slug):
    summit = access_summit(slug)
    pitches = services.juror_pitches(request.user, summit)
    context = {"summit": summit, "pitches": pitches, "status": services.judging_status(summit)}
    return render(request, "judging/pitches.html", context)


@require_http_methods(["GET", "POST"])
def score_pitch(request, slug, session_id):
    summit = access_summit(slug)
    session, card = services.access_own_scorecard(request.user, session_id)
    if session.summit_id != summit.pk:
        raise Invalid(_("No such pitch in this summit."))
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "withdraw":
                services.do_withdraw_scorecard(request.user, session.pk)
                messages.success(request, _("Your card is withdrawn: it is a draft again and no longer counts."))
            else:
                scores = _posted_scores(request, services.rubric(summit))
                session, card = services.do_score(
                    request.user, session.pk, scores, request.POST.get("comment", ""), submit=action == "submit"
                )
                messages.success(request, _saved_message(action, card))
        except ServiceError as error:
            _refused(request, error)
        return _back(request, reverse("judging-score", args=[slug, session.pk]))
    return render(request, "judging/score.html", _form_context(request, summit, session, card))


def _saved_message(action, card):
    """Says which state the card is in now, so "Save as draft" on a submitted card cannot seem to withdraw it."""
    if action == "submit":
        return _("Your scores are submitted and counted.")
    if card.status == card.Status.SUBMITTED:
        return _("Your changes are saved. Your card stays submitted and counted.")
    return _("Your draft is saved. It is not counted until you submit it.")


def _posted_scores(request, criteria):
    scores = {}
    for criterion in criteria:
        raw = request.POST.get(f"score-{criterion.key}", "").strip()
        if raw == "":
            continue
        try:
            scores[criterion.key] = int(raw)
        except ValueError:
            raise Invalid(_("“%(key)s” takes a whole number.") % {"key": services.label_in(criterion.label)}) from None
    return scores


def _form_context(request, summit, session, card, next_url=None):
    return {
        "summit": summit,
        "session": session,
        "card": card,
        "criteria": _criteria_rows(services.rubric(summit), card.scores if card else {}),
        "comment": card.comment if card else "",
        "closed": services.judging_status(summit)["closed"],
        "next": next_url or "",
    }


# --- people's choice ----------------------------------------------------------------


@require_POST
def choose_peoples_choice(request, slug, session_id):
    summit = access_summit(slug)
    try:
        services.do_choose_peoples_choice(request.user, summit, session_id)
        messages.success(request, _("Your people's choice vote is counted. You may change it to another pitch."))
    except ServiceError as error:
        _refused(request, error)
    return _back(request, reverse("summit-home", args=[slug]))


# --- beside the stage of a pitch room (livechat.signals.stage_panels) ------------------


def stage_panel(request, room, session, **signal):
    """For the pitch live in the room: the juror's scoring form, and everyone's people's-choice button;
    nothing for the pitching company's own members."""
    if session is None or session.company_id is None or not request.user.is_authenticated:
        return ""
    summit = room.summit
    own = session.company.members.filter(pk=request.user.pk).exists()
    juror = services.is_juror(request.user, summit) and not own
    registered = Registration.objects.filter(summit=summit, user=request.user).exists() and not own
    if not (juror or registered):
        return ""
    chosen = list(PeoplesChoice.objects.filter(summit=summit, user=request.user).values_list("session_id", flat=True))
    context = {
        "summit": summit,
        "session": session,
        "juror": juror,
        "registered": registered,
        "next": request.get_full_path(),
        "is_my_choice": session.pk in chosen,
        "has_chosen": bool(chosen),
    }
    if juror:
        card = services.access_own_scorecard(request.user, session.pk)[1]
        context.update(_form_context(request, summit, session, card, request.get_full_path()))
    return render_to_string("judging/stage_panel.html", context, request=request)


# --- pitching companies ---------------------------------------------------------------


def company_result(request, slug):
    """A pitching company's own rows of the ranking, once the organisers have published the results."""
    summit = access_summit(slug)
    rows = services.access_results(request.user, summit)
    criteria = services.rubric(summit)
    context = {
        "summit": summit,
        "criteria": [services.criterion_out(c) for c in criteria],
        "rows": [
            {**row, "criteria_means": [(services.label_in(c.label), row["criteria"].get(c.key)) for c in criteria]}
            for row in rows
        ],
    }
    return render(request, "judging/company_result.html", context)
