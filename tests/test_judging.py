"""Jury scoring: the rubric, who may score, drafts and closing, results normalised per juror, people's choice."""

import csv
import datetime as dt
import io
import json
import statistics

import pytest

from events.models import Company, Registration, Room
from judging.models import Scorecard
from judging.services import normalised_scores
from tests.conftest import at_paris, csrf_headers, make_person, make_session, signed_in

RUBRIC = [
    {
        "key": "innovation",
        "label": {"en": "Innovation", "fr": "Innovation", "zh-hans": "创新"},
        "weight": 30,
        "min": 1,
        "max": 10,
    },
    {"key": "team", "label": {"en": "Team", "fr": "Équipe", "zh-hans": "团队"}, "weight": 20, "min": 1, "max": 10},
    {"key": "market", "label": "Market", "weight": 30, "min": 1, "max": 10},
    {
        "key": "fit",
        "label": {"en": "Fit with Qingdao", "fr": "Adéquation avec Qingdao", "zh-hans": "与青岛的契合度"},
        "weight": 20,
        "min": 1,
        "max": 10,
    },
]


def put(client, url, body):
    return client.put(url, json.dumps(body), content_type="application/json", headers=csrf_headers(client))


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json", headers=csrf_headers(client))


def rubric_url(slug="roadshow"):
    return f"/api/summits/{slug}/judging/rubric/"


def score_url(session):
    return f"/api/sessions/{session.pk}/score/"


def same_everywhere(value, rubric=RUBRIC):
    return {c["key"]: value for c in rubric}


@pytest.fixture
def pitches(summit, fair_vision):
    """Three pitches: Fair Vision, Epicnpoc and Finwedge, each in its own pitch room."""
    made = []
    for n, (slug, name) in enumerate(
        [("fair-vision", "Fair Vision"), ("epicnpoc", "Epicnpoc"), ("finwedge", "Finwedge")]
    ):
        company = fair_vision if slug == "fair-vision" else Company.objects.create(summit=summit, slug=slug, name=name)
        room = Room.objects.create(summit=summit, slug=f"{slug}-room", name=name, kind=Room.Kind.PITCH, company=company)
        made.append(
            make_session(summit, room, f"{name} pitch", at_paris(dt.date(2027, 3, 30), f"1{n}:00"), 30, company=company)
        )
    return made


def juror(summit, username, name):
    person = make_person(username, name=name)
    Registration.objects.create(summit=summit, user=person)
    return person


@pytest.fixture
def harsh(summit):
    return juror(summit, "harsh", "Hilde Harsh")


@pytest.fixture
def lenient(summit):
    return juror(summit, "lenient", "Leo Lenient")


@pytest.fixture
def jury(summit, organiser_client, harsh, lenient):
    assert put(organiser_client, rubric_url(), {"criteria": RUBRIC}).status_code == 200
    response = put(
        organiser_client, "/api/summits/roadshow/judging/jury/", {"emails": [harsh.email, lenient.email.upper()]}
    )
    assert response.status_code == 200, response.content
    return signed_in(harsh), signed_in(lenient)


# --- rubric ---


def test_organiser_sets_the_rubric_with_a_label_in_each_language(organiser_client, organiser):
    response = put(organiser_client, rubric_url(), {"criteria": RUBRIC})
    assert response.status_code == 200, response.content
    criteria = response.json()["criteria"]
    assert [(c["key"], c["weight"], c["min"], c["max"]) for c in criteria] == [
        ("innovation", 30, 1, 10),
        ("team", 20, 1, 10),
        ("market", 30, 1, 10),
        ("fit", 20, 1, 10),
    ]
    assert criteria[2]["label_i18n"] == {"en": "Market"}  # a plain string is the main language's label
    organiser.profile.language = "fr"
    organiser.profile.save()
    french = organiser_client.get(rubric_url()).json()["criteria"]
    assert [c["label"] for c in french] == ["Innovation", "Équipe", "Market", "Adéquation avec Qingdao"]
    organiser.profile.language = "zh-hans"
    organiser.profile.save()
    chinese = organiser_client.get(rubric_url()).json()["criteria"]
    assert chinese[3]["label"] == "与青岛的契合度"


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r + [dict(r[0])],  # two criteria with one key
        lambda r: [{**r[0], "key": "Not a key!"}],
        lambda r: [{**r[0], "weight": 0}],
        lambda r: [{**r[0], "min": 10, "max": 10}],
        lambda r: [{**r[0], "label": {"de": "Innovation"}}],
        lambda r: [{**r[0], "label": {"en": "  "}}],
        lambda r: [],
    ],
)
def test_rubric_with_a_bad_criterion_is_refused_whole(organiser_client, change):
    response = put(organiser_client, rubric_url(), {"criteria": change(RUBRIC)})
    assert response.status_code == 422, response.content
    assert "detail" in response.json()
    assert organiser_client.get(rubric_url()).json()["criteria"] == []


def test_only_organisers_set_the_rubric_and_the_jury(attendee_client, anonymous_client, organiser, attendee_paris):
    assert put(attendee_client, rubric_url(), {"criteria": RUBRIC}).status_code == 403
    assert put(anonymous_client, rubric_url(), {"criteria": RUBRIC}).status_code == 401
    response = put(attendee_client, "/api/summits/roadshow/judging/jury/", {"emails": [attendee_paris.email]})
    assert response.status_code == 403
    assert attendee_client.get(rubric_url()).status_code == 403


def test_jury_named_by_an_unknown_email_is_refused(organiser_client, harsh):
    response = put(
        organiser_client, "/api/summits/roadshow/judging/jury/", {"emails": [harsh.email, "nobody@example.org"]}
    )
    assert response.status_code == 422
    assert "nobody@example.org" in response.json()["detail"]
    assert organiser_client.get("/api/summits/roadshow/judging/jury/").json()["jurors"] == []


def test_rubric_cannot_change_once_a_juror_has_scored(organiser_client, jury, pitches):
    harsh_client, _ = jury
    assert put(harsh_client, score_url(pitches[0]), {"scores": {"team": 5}, "submit": False}).status_code == 200
    assert put(organiser_client, rubric_url(), {"criteria": RUBRIC[:2]}).status_code == 409


# --- scorecards ---


def test_juror_saves_a_draft_then_submits_and_reads_only_their_own(jury, pitches):
    harsh_client, lenient_client = jury
    draft = put(harsh_client, score_url(pitches[0]), {"scores": {"team": 6}, "comment": "Strong CTO", "submit": False})
    assert draft.status_code == 200 and draft.json()["status"] == "draft"
    submitted = put(harsh_client, score_url(pitches[0]), {"scores": same_everywhere(7), "comment": "Strong CTO"})
    assert submitted.json()["status"] == "submitted" and submitted.json()["scores"]["market"] == 7
    mine = harsh_client.get(score_url(pitches[0])).json()
    assert mine["scores"] == same_everywhere(7) and mine["comment"] == "Strong CTO"
    theirs = lenient_client.get(score_url(pitches[0])).json()
    assert theirs["scores"] == {} and theirs["status"] is None and theirs["comment"] == ""
    assert Scorecard.objects.count() == 1


def test_a_juror_may_not_score_their_own_companys_pitch(jury, pitches, harsh, fair_vision):
    harsh_client, _ = jury
    fair_vision.members.add(harsh)
    response = put(harsh_client, score_url(pitches[0]), {"scores": same_everywhere(10)})
    assert response.status_code == 403 and "Fair Vision" in response.json()["detail"]
    assert put(harsh_client, score_url(pitches[1]), {"scores": same_everywhere(5)}).status_code == 200
    assert Scorecard.objects.count() == 1


def test_people_outside_the_jury_may_not_score(jury, pitches, attendee_client, organiser_client):
    for client in (attendee_client, organiser_client):
        assert put(client, score_url(pitches[0]), {"scores": same_everywhere(5)}).status_code == 403
        assert client.get(score_url(pitches[0])).status_code == 403


@pytest.mark.parametrize(
    "scores",
    [
        {**same_everywhere(5), "market": 11},
        {**same_everywhere(5), "team": 0},
        {**same_everywhere(5), "charisma": 5},
        {**same_everywhere(5), "fit": 7.5},
        {**same_everywhere(5), "fit": "7"},
        {"team": 5},  # submitted without every criterion
    ],
)
def test_scores_out_of_range_or_of_unknown_criteria_are_422(jury, pitches, scores):
    harsh_client, _ = jury
    response = put(harsh_client, score_url(pitches[0]), {"scores": scores})
    assert response.status_code == 422, response.content
    assert Scorecard.objects.count() == 0


def test_a_session_without_a_pitching_company_is_not_scored(jury, keynote):
    harsh_client, _ = jury
    assert put(harsh_client, score_url(keynote), {"scores": same_everywhere(5)}).status_code == 422


def test_scores_are_frozen_once_judging_closes(jury, pitches, organiser_client):
    harsh_client, _ = jury
    assert put(harsh_client, score_url(pitches[0]), {"scores": same_everywhere(5)}).status_code == 200
    assert post(organiser_client, "/api/summits/roadshow/judging/close/").json()["closed"] is True
    response = put(harsh_client, score_url(pitches[0]), {"scores": same_everywhere(9)})
    assert response.status_code == 409
    assert harsh_client.get(score_url(pitches[0])).json()["scores"] == same_everywhere(5)


def test_saving_a_draft_keeps_a_submitted_card_submitted_and_counted(jury, pitches, organiser_client):
    harsh_client, lenient_client = jury
    results = "/api/summits/roadshow/judging/results/"
    put(harsh_client, score_url(pitches[0]), {"scores": same_everywhere(7)})
    put(lenient_client, score_url(pitches[0]), {"scores": same_everywhere(9)})
    counted = organiser_client.get(results).json()
    draft = put(harsh_client, score_url(pitches[0]), {"scores": same_everywhere(7), "submit": False})
    assert draft.status_code == 200 and draft.json()["status"] == "submitted"
    assert organiser_client.get(results).json() == counted
    changed = put(harsh_client, score_url(pitches[0]), {"scores": same_everywhere(8), "submit": False})
    assert changed.json()["status"] == "submitted"
    assert organiser_client.get(results).json()[0]["jurors"] == 2
    # A submitted card stays complete: a draft save may not drop a criterion from it.
    assert put(harsh_client, score_url(pitches[0]), {"scores": {"team": 5}, "submit": False}).status_code == 422
    assert harsh_client.get(score_url(pitches[0])).json()["scores"] == same_everywhere(8)


def test_a_juror_withdraws_a_submitted_card_only_on_purpose(jury, pitches, organiser_client):
    harsh_client, lenient_client = jury
    withdraw = f"/api/sessions/{pitches[0].pk}/score/withdraw/"
    assert post(harsh_client, withdraw).status_code == 404  # nothing to withdraw yet
    put(harsh_client, score_url(pitches[0]), {"scores": same_everywhere(7)})
    response = post(harsh_client, withdraw)
    assert response.status_code == 200 and response.json()["status"] == "draft"
    assert response.json()["scores"] == same_everywhere(7)
    rows = organiser_client.get("/api/summits/roadshow/judging/results/").json()
    assert {row["jurors"] for row in rows} == {0}
    assert post(lenient_client, withdraw).status_code == 404  # their own card only
    post(organiser_client, "/api/summits/roadshow/judging/close/")
    put(harsh_client, score_url(pitches[0]), {"scores": same_everywhere(7)})
    assert post(harsh_client, withdraw).status_code == 409


def test_only_organisers_close_judging(jury, attendee_client):
    harsh_client, _ = jury
    assert post(harsh_client, "/api/summits/roadshow/judging/close/").status_code == 403
    assert post(attendee_client, "/api/summits/roadshow/judging/close/").status_code == 403


# --- results ---

ZERO_TO_TEN = [{**c, "min": 0, "max": 10} for c in RUBRIC]


@pytest.fixture
def worked_example(organiser_client, harsh, lenient, pitches):
    """docs/judging.md's example: the harsh juror saw A and B, the lenient one B and C."""
    put(organiser_client, rubric_url(), {"criteria": ZERO_TO_TEN})
    put(organiser_client, "/api/summits/roadshow/judging/jury/", {"emails": [harsh.email, lenient.email]})
    a, b, c = pitches
    harsh_client, lenient_client = signed_in(harsh), signed_in(lenient)
    for client, session, value in (
        (harsh_client, a, 4),
        (harsh_client, b, 2),
        (lenient_client, b, 8),
        (lenient_client, c, 6),
    ):
        response = put(client, score_url(session), {"scores": same_everywhere(value, ZERO_TO_TEN)})
        assert response.status_code == 200, response.content
    return pitches


def test_normalisation_stops_a_harsh_juror_sinking_the_pitches_they_saw(worked_example, organiser_client):
    a, b, c = worked_example
    rows = organiser_client.get("/api/summits/roadshow/judging/results/").json()
    by_id = {row["session_id"]: row for row in rows}
    # Raw weighted scores put C first and A last: A was only seen by the harsh juror.
    assert [by_id[s.pk]["score"] for s in (a, b, c)] == [40.0, 50.0, 60.0]
    # Normalised: each juror's best is +1 standard deviation of their own marks, mapped onto the
    # overall mean 50 and standard deviation sqrt(500) = 22.36.
    assert [by_id[s.pk]["normalised"] for s in (a, b, c)] == [72.4, 50.0, 27.6]
    assert [row["session_id"] for row in rows] == [a.pk, b.pk, c.pk]  # best first, by the normalised score
    assert by_id[b.pk]["jurors"] == 2 and by_id[b.pk]["spread"] == 60.0 and by_id[a.pk]["spread"] == 0.0
    assert by_id[b.pk]["criteria"] == {"innovation": 5.0, "team": 5.0, "market": 5.0, "fit": 5.0}
    assert by_id[a.pk]["company"] == "fair-vision"


def test_a_juror_who_scored_one_pitch_or_gave_every_pitch_the_same_mark_counts_at_the_overall_mean():
    totals = {
        ("spread", 1): 40.0,
        ("spread", 2): 60.0,
        ("spread", 3): 80.0,
        ("once", 2): 90.0,  # one pitch: no order to tell
        ("flat", 1): 70.0,  # the same mark everywhere: z = 0, not a division by zero
        ("flat", 3): 70.0,
    }
    overall = statistics.fmean(totals.values())
    normalised = normalised_scores(totals)
    assert normalised[("once", 2)] == pytest.approx(overall)
    assert normalised[("flat", 1)] == pytest.approx(overall)
    assert normalised[("flat", 3)] == pytest.approx(overall)
    assert normalised[("spread", 1)] < overall < normalised[("spread", 3)]  # a juror who ranked still ranks


def test_drafts_do_not_count_in_results(jury, pitches, organiser_client):
    harsh_client, _ = jury
    put(harsh_client, score_url(pitches[0]), {"scores": same_everywhere(9), "submit": False})
    rows = organiser_client.get("/api/summits/roadshow/judging/results/").json()
    assert {row["jurors"] for row in rows} == {0} and {row["score"] for row in rows} == {None}


def test_results_are_for_organisers_and_each_company_sees_its_own_once_published(
    worked_example, organiser_client, attendee_client, harsh, fair_vision
):
    member = make_person("fv-founder", name="Founder")
    fair_vision.members.add(member)
    founder = signed_in(member)
    results = "/api/summits/roadshow/judging/results/"
    for client in (founder, signed_in(harsh), attendee_client):
        assert client.get(results).status_code == 403
    assert post(organiser_client, "/api/summits/roadshow/judging/publish/").status_code == 409  # not closed yet
    post(organiser_client, "/api/summits/roadshow/judging/close/")
    assert post(organiser_client, "/api/summits/roadshow/judging/publish/").json()["published"] is True
    own = founder.get(results).json()
    assert [row["company"] for row in own] == ["fair-vision"] and own[0]["normalised"] == 72.4
    assert attendee_client.get(results).status_code == 403
    assert signed_in(harsh).get(results).status_code == 403


def test_organiser_downloads_the_ranking_as_csv(worked_example, organiser_client, attendee_client):
    response = organiser_client.get("/api/summits/roadshow/judging/results.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["rank"], r["company"], r["normalised"]) for r in rows] == [
        ("1", "fair-vision", "72.4"),
        ("2", "epicnpoc", "50.0"),
        ("3", "finwedge", "27.6"),
    ]
    assert attendee_client.get("/api/summits/roadshow/judging/results.csv").status_code == 403


def test_results_take_a_fixed_number_of_queries(worked_example, summit, pitches, django_assert_num_queries):
    from judging import services

    with django_assert_num_queries(4):
        services.results(summit)
    more = juror(summit, "third", "Third Juror")
    services.Juror.objects.create(summit=summit, user=more)
    for session in pitches:
        Scorecard.objects.create(
            session=session, juror=more, scores=same_everywhere(3, ZERO_TO_TEN), status=Scorecard.Status.SUBMITTED
        )
    with django_assert_num_queries(4):
        rows = services.results(summit)
    assert sum(row["jurors"] for row in rows) == 7


# --- people's choice ---


def test_peoples_choice_is_one_per_attendee_and_choosing_again_replaces_it(
    pitches, attendee_client, attendee_shanghai, organiser_client, jury
):
    url = "/api/summits/roadshow/peoples-choice/"
    assert post(attendee_client, url, {"session_id": pitches[0].pk}).json() == {"session_id": pitches[0].pk}
    assert post(attendee_client, url, {"session_id": pitches[2].pk}).status_code == 200
    assert post(signed_in(attendee_shanghai), url, {"session_id": pitches[2].pk}).status_code == 200
    rows = organiser_client.get("/api/summits/roadshow/judging/results/").json()
    assert {row["session_id"]: row["peoples_choice"] for row in rows} == {
        pitches[0].pk: 0,
        pitches[1].pk: 0,
        pitches[2].pk: 2,
    }


def test_peoples_choice_needs_a_registration_and_a_pitch_of_another_company(
    pitches, keynote, stranger, attendee_client, attendee_paris, fair_vision
):
    url = "/api/summits/roadshow/peoples-choice/"
    fair_vision.members.add(attendee_paris)
    assert post(attendee_client, url, {"session_id": pitches[0].pk}).status_code == 403
    assert post(signed_in(stranger), url, {"session_id": pitches[0].pk}).status_code == 403
    assert post(attendee_client, url, {"session_id": keynote.pk}).status_code == 422
    assert post(attendee_client, url, {"session_id": 999999}).status_code == 422
    assert post(attendee_client, url, {"session_id": "one"}).status_code == 422


def test_a_scorecards_score_places_each_criterion_in_its_range_then_weighs_it(summit, organiser_client):
    from judging import services

    put(organiser_client, rubric_url(), {"criteria": RUBRIC})
    criteria = services.rubric(summit)
    # docs/judging.md: 7, 6, 8, 5 on the roadshow's 1-10 rubric.
    score = services.weighted_score(criteria, {"innovation": 7, "team": 6, "market": 8, "fit": 5})
    assert round(score, 1) == 63.3
    assert services.weighted_score(criteria, same_everywhere(1)) == 0
    assert services.weighted_score(criteria, same_everywhere(10)) == 100


def test_pitches_nobody_scored_rank_last_and_comments_stay_with_the_organisers(
    jury, pitches, organiser_client, fair_vision
):
    harsh_client, _ = jury
    put(harsh_client, score_url(pitches[2]), {"scores": same_everywhere(2), "comment": "Not ready"})
    rows = organiser_client.get("/api/summits/roadshow/judging/results/").json()
    assert rows[0]["session_id"] == pitches[2].pk and {r["jurors"] for r in rows[1:]} == {0}
    assert "Not ready" not in json.dumps(rows)
    ranking = list(csv.DictReader(io.StringIO(organiser_client.get("/api/summits/roadshow/judging/results.csv").text)))
    assert [r["rank"] for r in ranking] == ["1", "", ""]  # nobody scored them: listed, unranked
    page = organiser_client.get("/summits/roadshow/judging/").content.decode()
    assert page.count("not scored</span>") == 2 and '<td class="num">2</td>' not in page
    post(organiser_client, "/api/summits/roadshow/judging/close/")
    assert post(organiser_client, "/api/summits/roadshow/judging/close/").json()["closed"] is True  # harmless twice
