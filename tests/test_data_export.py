"""The data export holds everything the platform keeps about the person: every record that points at them."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from events.models import Profile
from judging.models import Juror, PeoplesChoice, Scorecard
from livechat.models import Poll, PollBallot, PollChoice, PollOption
from partnering import services as partnering
from partnering.models import PartnerProfile
from privacy.services import EXPORTED, NOT_EXPORTED, export
from scheduler.models import NoticeSetting, Notification
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

PERSON_MODELS = (get_user_model(), Profile, PartnerProfile)


def relations_to_a_person():
    """`app.Model.field` of every stored relation to an account, a profile or a partner profile."""
    return {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.get_fields()
        if getattr(field, "concrete", False) and field.is_relation and field.related_model in PERSON_MODELS
    }


def test_every_record_that_points_at_a_person_is_in_the_export_or_said_not_to_be_personal(attendee_paris):
    found = relations_to_a_person()
    assert found, "no relation found: the walk is broken"
    forgotten = found - EXPORTED.keys() - NOT_EXPORTED.keys()
    assert not forgotten, f"add these to privacy.services.EXPORTED (and the export) or NOT_EXPORTED: {forgotten}"
    assert not (EXPORTED.keys() | NOT_EXPORTED.keys()) - found, "listed relations that no longer exist"
    sections = export(attendee_paris).keys()
    assert set(EXPORTED.values()) <= sections


def test_the_export_holds_interests_notifications_ballots_peoples_choice_and_scorecards(
    summit, main_stage, keynote, attendee_paris, fair_vision
):
    camille = attendee_paris
    partnering.do_create_missing_profiles(summit)
    partnering.do_express_interest(camille, summit, "fair-vision")
    Notification.objects.create(user=camille, kind="session.rescheduled", title="Keynote moved", body="To 10:00")
    NoticeSetting.objects.create(user=camille, by_mail=False)
    poll = Poll.objects.create(
        room=main_stage, author=camille, question="Coffee or tea?", question_i18n={"fr": "Café ou thé ?"}
    )
    tea = PollOption.objects.create(poll=poll, position=1, label="Tea")
    ballot = PollBallot.objects.create(poll=poll, user=camille)
    PollChoice.objects.create(ballot=ballot, option=tea)
    PeoplesChoice.objects.create(summit=summit, user=camille, session=keynote)
    Juror.objects.create(summit=summit, user=camille)
    Scorecard.objects.create(session=keynote, juror=camille, scores={"team": 4}, comment="Strong team")

    data = signed_in(camille).get("/api/me/export/").json()
    assert [(i["company"], i["shared_with_the_company"]) for i in data["company_interests"]] == [
        ("fair-vision", ["name", "organisation", "country", "email"])
    ]
    assert [(n["title"], n["body"]) for n in data["notifications"]] == [("Keynote moved", "To 10:00")]
    assert data["notice_settings"] == [{"by_mail": False}]
    assert [(b["question"], b["chosen"]) for b in data["poll_ballots"]] == [("Coffee or tea?", ["Tea"])]
    assert [(p["question"], p["question_i18n"]) for p in data["polls"]] == [("Coffee or tea?", {"fr": "Café ou thé ?"})]
    assert [v["session"] for v in data["peoples_choice"]] == [keynote.pk]
    assert data["jury_seats"] == [{"summit": "roadshow"}]
    assert [(c["scores"], c["comment"]) for c in data["scorecards"]] == [({"team": 4}, "Strong team")]


def test_the_interested_button_says_what_it_shares_and_the_pages_say_it_after(summit, fair_vision, attendee_paris):
    attendee_paris.profile.language = "en"
    attendee_paris.profile.save()
    partnering.do_create_missing_profiles(summit)
    browser = signed_in(attendee_paris)
    page = "/summits/roadshow/companies/fair-vision/"
    before = browser.get(page).content.decode()
    assert "Pressing it shows Fair Vision's team and the organisers your name, organisation, country and email" in (
        before
    )
    partnering.do_express_interest(attendee_paris, summit, "fair-vision")
    after = browser.get(page).content.decode()
    assert "its team and the organisers see your name, organisation, country and email" in after
    assert "does not see your name or email" not in after
    assert "sees your name, organisation, country and email because you pressed" in after
    my_data = browser.get("/me/data/").content.decode()
    assert my_data.count("data-interested") == 1


@pytest.mark.parametrize(
    ("language", "before", "after"),
    [
        ("fr", "votre nom, votre organisation, votre pays et votre adresse électronique", "parce que vous avez cliqué"),
        ("zh-hans", "您的姓名、机构、国家和电子邮件", "因为您点击了"),
    ],
)
def test_what_interested_shares_is_said_in_french_and_chinese(
    summit, fair_vision, attendee_paris, language, before, after
):
    attendee_paris.profile.language = language
    attendee_paris.profile.save()
    partnering.do_create_missing_profiles(summit)
    browser = signed_in(attendee_paris)
    page = "/summits/roadshow/companies/fair-vision/"
    assert before in browser.get(page).content.decode()
    partnering.do_express_interest(attendee_paris, summit, "fair-vision")
    assert after in browser.get(page).content.decode()
