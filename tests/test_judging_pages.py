"""Judging pages: the organisers' ranking and jury form, the jurors' list and form, beside the stage too."""

import pytest
from django.urls import reverse

from events.models import Registration
from judging import services
from judging.models import Criterion, Juror, PeoplesChoice, Scorecard
from tests.conftest import make_person, signed_in

pytestmark = pytest.mark.django_db


def post_form(client, url, data):
    client.get(url)  # the page sets the CSRF cookie, as a browser would get it
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


@pytest.fixture
def rubric(summit):
    for position, (key, label, weight) in enumerate(
        [("innovation", {"en": "Innovation", "fr": "Innovation"}, 60), ("team", {"en": "Team", "fr": "Équipe"}, 40)]
    ):
        Criterion.objects.create(
            summit=summit, key=key, label=label, weight=weight, min_score=1, max_score=10, position=position
        )


@pytest.fixture
def juror(summit, rubric):
    person = make_person("juror", name="Julia Juror")
    Registration.objects.create(summit=summit, user=person)
    Juror.objects.create(summit=summit, user=person)
    return person


def test_juror_scores_from_the_form_as_a_draft_then_submits(juror, pitch, summit):
    client = signed_in(juror)
    url = reverse("judging-score", args=[summit.slug, pitch.pk])
    page = client.get(url).content.decode()
    assert 'name="score-innovation"' in page and 'min="1"' in page and 'max="10"' in page
    post_form(client, url, {"score-team": "6", "comment": "Clear roadmap", "action": "draft"})
    card = Scorecard.objects.get()
    assert card.status == "draft" and card.scores == {"team": 6} and card.comment == "Clear roadmap"
    post_form(client, url, {"score-innovation": "8", "score-team": "6", "comment": "Clear roadmap", "action": "submit"})
    card.refresh_from_db()
    assert card.status == "submitted" and card.scores == {"innovation": 8, "team": 6}


def test_save_as_draft_on_a_submitted_card_keeps_it_counted_and_the_page_says_so(juror, pitch, summit):
    client = signed_in(juror)
    url = reverse("judging-score", args=[summit.slug, pitch.pk])
    post_form(client, url, {"score-innovation": "8", "score-team": "6", "action": "submit"})
    before = services.results(summit)
    post_form(client, url, {"score-innovation": "8", "score-team": "6", "action": "draft"})
    assert Scorecard.objects.get().status == "submitted" and services.results(summit) == before
    page = client.get(url).content.decode()
    assert "Your card stays submitted and counted." in page
    assert 'data-card-state="submitted"' in page and 'value="withdraw"' in page
    post_form(client, url, {"action": "withdraw"})
    assert Scorecard.objects.get().status == "draft" and services.results(summit)[0]["jurors"] == 0
    assert "it is a draft again and no longer counts" in client.get(url).content.decode()


def test_a_refused_score_comes_back_with_the_reason(juror, pitch, summit):
    client = signed_in(juror)
    url = reverse("judging-score", args=[summit.slug, pitch.pk])
    response = post_form(client, url, {"score-innovation": "11", "score-team": "6", "action": "submit"})
    assert response.status_code == 302
    assert "from 1 to 10" in client.get(url).content.decode()
    assert Scorecard.objects.count() == 0


def test_jurors_list_shows_each_pitch_with_their_own_progress(juror, pitch, summit, attendee_client):
    Scorecard.objects.create(session=pitch, juror=juror, scores={"team": 3}, status="draft")
    page = signed_in(juror).get(reverse("judging-pitches", args=[summit.slug])).content.decode()
    assert "Fair Vision pitch" in page and "Draft" in page
    assert attendee_client.get(reverse("judging-pitches", args=[summit.slug])).status_code == 403


def test_closed_judging_shows_the_jurors_final_scores_without_a_form(juror, pitch, summit, organiser_client):
    Scorecard.objects.create(session=pitch, juror=juror, scores={"innovation": 7, "team": 5}, status="submitted")
    organiser_client.get(reverse("judging-results", args=[summit.slug]))
    organiser_client.post(
        reverse("judging-close", args=[summit.slug]),
        {"csrfmiddlewaretoken": organiser_client.cookies["csrftoken"].value},
    )
    assert services.judging_status(summit)["closed"]
    page = signed_in(juror).get(reverse("judging-score", args=[summit.slug, pitch.pk])).content.decode()
    assert "final scores" in page and '<form method="post" action="/summits' not in page


def test_organiser_page_ranks_pitches_shows_comments_and_sets_the_jury(
    juror, pitch, summit, organiser_client, attendee_client, attendee_shanghai
):
    Scorecard.objects.create(
        session=pitch, juror=juror, scores={"innovation": 9, "team": 7}, status="submitted", comment="Ready for Qingdao"
    )
    url = reverse("judging-results", args=[summit.slug])
    page = organiser_client.get(url).content.decode()
    assert "Fair Vision" in page and "Ready for Qingdao" in page and "juror@example.org" in page
    assert reverse("api:judging-results-csv", args=[summit.slug]) in page
    post_form(organiser_client, url, {"emails": f"juror@example.org\n{attendee_shanghai.email.upper()}"})
    assert set(Juror.objects.values_list("user__username", flat=True)) == {"juror", "lina"}
    assert attendee_client.get(url).status_code == 403


def test_pitch_room_shows_the_jurors_form_and_everyones_peoples_choice_beside_the_stage(
    juror, live_pitch, summit, attendee_client, attendee_paris
):
    room_url = reverse("room", args=[summit.slug, "fair-vision"])
    juror_page = signed_in(juror).get(room_url).content.decode()
    assert "Score this pitch" in juror_page and 'name="score-innovation"' in juror_page
    attendee_page = attendee_client.get(room_url).content.decode()
    assert 'name="score-innovation"' not in attendee_page
    assert reverse("peoples-choice", args=[summit.slug, live_pitch.pk]) in attendee_page
    response = attendee_client.post(
        reverse("peoples-choice", args=[summit.slug, live_pitch.pk]),
        {"csrfmiddlewaretoken": attendee_client.cookies["csrftoken"].value, "next": room_url},
    )
    assert response.status_code == 302 and response["Location"] == room_url
    assert PeoplesChoice.objects.get(user=attendee_paris).session == live_pitch
    # Now it says so instead of offering the button again.
    again = attendee_client.get(room_url).content.decode()
    assert reverse("peoples-choice", args=[summit.slug, live_pitch.pk]) not in again and "Fair Vision" in again


def test_company_sees_its_own_result_page_only_once_published(juror, pitch, summit, fair_vision, organiser):
    member = make_person("founder", name="Founder")
    fair_vision.members.add(member)
    client = signed_in(member)
    url = reverse("judging-company-result", args=[summit.slug])
    assert client.get(url).status_code == 403
    Scorecard.objects.create(
        session=pitch, juror=juror, scores={"innovation": 9, "team": 7}, status="submitted", comment="Private remark"
    )
    services.do_close_judging(organiser, summit)
    services.do_publish_results(organiser, summit)
    page = client.get(url).content.decode()
    assert "Fair Vision pitch" in page and "Innovation" in page
    assert "Private remark" not in page  # comments are for the organisers only


def test_summit_navigation_leads_jurors_and_companies_to_their_jury_pages(
    juror, pitch, summit, fair_vision, organiser, attendee_client
):
    schedule = reverse("schedule", args=[summit.slug])
    pitches = reverse("judging-pitches", args=[summit.slug])
    our_result = reverse("judging-company-result", args=[summit.slug])
    assert pitches in signed_in(juror).get(schedule).content.decode()
    assert pitches not in attendee_client.get(schedule).content.decode()
    member = make_person("founder", name="Founder")
    fair_vision.members.add(member)
    assert our_result not in signed_in(member).get(schedule).content.decode()
    services.do_close_judging(organiser, summit)
    services.do_publish_results(organiser, summit)
    assert our_result in signed_in(member).get(schedule).content.decode()


def test_the_pitching_companys_own_members_get_no_score_form_or_vote_beside_their_pitch(
    juror, live_pitch, summit, fair_vision
):
    fair_vision.members.add(juror)
    page = signed_in(juror).get(reverse("room", args=[summit.slug, "fair-vision"])).content.decode()
    assert 'name="score-innovation"' not in page
    assert reverse("peoples-choice", args=[summit.slug, live_pitch.pk]) not in page
    own_list = signed_in(juror).get(reverse("judging-pitches", args=[summit.slug])).content.decode()
    assert live_pitch.title not in own_list  # left out of the juror's list too


def test_organisers_set_the_rubric_on_a_page_and_a_refused_one_comes_back_as_typed(summit, organiser_client):
    url = reverse("judging-rubric", args=[summit.slug])
    assert 'name="label_zh"' in organiser_client.get(url).content.decode()
    row = {"key": ["innovation", ""], "label_en": ["Innovation", ""], "label_fr": ["Innovation", ""]}
    row |= {"label_zh": ["创新", ""], "weight": ["30", ""], "min": ["1", "1"], "max": ["10", "10"]}
    response = post_form(organiser_client, url, row)
    assert response.status_code == 302
    saved = services.criterion_out(services.rubric(summit)[0])
    assert saved["label_i18n"] == {"en": "Innovation", "fr": "Innovation", "zh-hans": "创新"} and saved["weight"] == 30
    refused = post_form(organiser_client, url, {**row, "key": ["innovation", "Bad Key"], "weight": ["30", "x"]})
    page = refused.content.decode()
    assert refused.status_code == 422 and 'value="Bad Key"' in page and "lower-case letters" in page
    assert [c.key for c in services.rubric(summit)] == ["innovation"]
