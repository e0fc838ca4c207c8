"""Jury scoring and people's choice over the JSON API: translation between HTTP and judging.services."""

import datetime as dt
from typing import Any

from ninja import Field, Router, Schema
from ninja.security import django_auth

from events.services import access_summit, check_organiser
from judging import services
from summit.csvfile import csv_response

router = Router(auth=django_auth, tags=["judging"])


class CriterionIn(Schema):
    key: str = Field(..., max_length=40, examples=["innovation"])
    label: str | dict[str, str] = Field(
        ...,
        description="Text, or an object by language code (en, fr, zh-hans).",
        examples=[{"en": "Innovation", "fr": "Innovation", "zh-hans": "创新"}],
    )
    weight: int = Field(..., examples=[30])
    min: int = Field(..., examples=[1])
    max: int = Field(..., examples=[10])


class CriterionOut(Schema):
    key: str
    label: str = Field(..., description="In the reader's language.")
    label_i18n: dict[str, str]
    weight: int
    min: int
    max: int


class RubricIn(Schema):
    criteria: list[CriterionIn]


class RubricOut(Schema):
    criteria: list[CriterionOut]


class JuryIn(Schema):
    emails: list[str]


class JurorOut(Schema):
    id: int
    email: str
    name: str


class JuryOut(Schema):
    jurors: list[JurorOut]


class ScoreIn(Schema):
    scores: dict[str, Any] = Field(..., description="{criterion key: whole number within its min..max}")
    comment: str | None = Field(None, description="Private to the organisers.")
    submit: bool = Field(
        True,
        description="false saves a draft, which may leave criteria out; a card already submitted stays "
        "submitted (withdraw it with POST …/score/withdraw/).",
    )


class ScoreOut(Schema):
    session_id: int
    scores: dict[str, int]
    comment: str
    status: str | None = Field(..., description="draft | submitted, or null before the first save.")
    updated_at: dt.datetime | None


class JudgingOut(Schema):
    closed: bool
    closed_at: dt.datetime | None
    published: bool
    published_at: dt.datetime | None


class ResultOut(Schema):
    session_id: int
    company: str
    company_name: str
    title: str
    score: float | None = Field(..., description="Mean of the jurors' weighted scores, 0-100.")
    normalised: float | None = Field(..., description="Mean of the per-juror normalised scores, 0-100 scale.")
    criteria: dict[str, float] = Field(..., description="Mean raw score per criterion.")
    jurors: int
    spread: float | None = Field(..., description="Highest minus lowest juror's weighted score.")
    peoples_choice: int


class ChoiceIn(Schema):
    session_id: Any


class ChoiceOut(Schema):
    session_id: int


def _rubric_out(summit):
    return {"criteria": [services.criterion_out(c) for c in services.rubric(summit)]}


def _jury_out(summit):
    people = services.jury(summit)
    return {
        "jurors": [
            {"id": p.pk, "email": p.email, "name": getattr(getattr(p, "profile", None), "name", "") or p.get_username()}
            for p in people
        ]
    }


@router.get("/summits/{slug}/judging/rubric/", response=RubricOut)
def get_rubric(request, slug: str):
    """The rubric, for organisers and jurors."""
    summit = access_summit(slug)
    if not services.is_juror(request.user, summit):
        check_organiser(request.user, summit)
    return _rubric_out(summit)


@router.put("/summits/{slug}/judging/rubric/", response=RubricOut)
def put_rubric(request, slug: str, payload: RubricIn):
    """Replace the rubric (organisers); 409 once any juror has scored."""
    summit = access_summit(slug)
    services.do_set_rubric(request.user, summit, [c.model_dump() for c in payload.criteria])
    return _rubric_out(summit)


@router.get("/summits/{slug}/judging/jury/", response=JuryOut)
def get_jury(request, slug: str):
    summit = access_summit(slug)
    check_organiser(request.user, summit)
    return _jury_out(summit)


@router.put("/summits/{slug}/judging/jury/", response=JuryOut)
def put_jury(request, slug: str, payload: JuryIn):
    """The jury becomes exactly these accounts (by email, any case); 422 names the unknown ones."""
    summit = access_summit(slug)
    services.do_set_jury(request.user, summit, payload.emails)
    return _jury_out(summit)


@router.get("/sessions/{session_id}/score/", response=ScoreOut, url_name="judging-score")
def get_score(request, session_id: int):
    """The signed-in juror's own scorecard for this pitch (jurors never see each other's)."""
    session, card = services.access_own_scorecard(request.user, session_id)
    return services.scorecard_out(card, session)


@router.put("/sessions/{session_id}/score/", response=ScoreOut)
def put_score(request, session_id: int, payload: ScoreIn):
    """Jurors only (403); 422 for an unknown key or a score out of range; 409 once judging is closed."""
    session, card = services.do_score(request.user, session_id, payload.scores, payload.comment, payload.submit)
    return services.scorecard_out(card, session)


@router.post("/sessions/{session_id}/score/withdraw/", response=ScoreOut, url_name="judging-score-withdraw")
def withdraw_score(request, session_id: int):
    """The juror's submitted card becomes a draft and stops counting; 404 before any save, 409 once closed."""
    session, card = services.do_withdraw_scorecard(request.user, session_id)
    return services.scorecard_out(card, session)


@router.get("/summits/{slug}/judging/", response=JudgingOut)
def get_judging(request, slug: str):
    summit = access_summit(slug)
    if not services.is_juror(request.user, summit):
        check_organiser(request.user, summit)
    return services.judging_status(summit)


@router.post("/summits/{slug}/judging/close/", response=JudgingOut)
def close_judging(request, slug: str):
    """No score changes after this; closing twice is harmless."""
    summit = access_summit(slug)
    services.do_close_judging(request.user, summit)
    return services.judging_status(summit)


@router.post("/summits/{slug}/judging/publish/", response=JudgingOut)
def publish_results(request, slug: str):
    """Each company may then see its own result; 409 before judging is closed."""
    summit = access_summit(slug)
    services.do_publish_results(request.user, summit)
    return services.judging_status(summit)


@router.get("/summits/{slug}/judging/results/", response=list[ResultOut])
def get_results(request, slug: str):
    """Every pitch, best (normalised) first, for organisers; a company's own rows once published."""
    summit = access_summit(slug)
    return services.access_results(request.user, summit)


@router.get("/summits/{slug}/judging/results.csv", tags=["judging", "reports"], url_name="judging-results-csv")
def results_csv(request, slug: str):
    summit = access_summit(slug)
    check_organiser(request.user, summit)
    return csv_response(services.results_csv(services.results(summit)), f"{summit.slug}-jury-results.csv")


@router.post("/summits/{slug}/peoples-choice/", response=ChoiceOut, url_name="peoples-choice")
def choose_peoples_choice(request, slug: str, payload: ChoiceIn):
    """One favourite pitch per registered person per summit; posting again replaces it."""
    summit = access_summit(slug)
    choice = services.do_choose_peoples_choice(request.user, summit, payload.session_id)
    return {"session_id": choice.session_id}
