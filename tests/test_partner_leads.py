"""Company leads are seen only by the company's team and organisers; organisers see the figures."""

import csv
import datetime as dt
import io

import pytest

from livechat.models import Attendance, Question
from partnering import services
from tests.conftest import signed_in
from tests.partnering_helpers import BEFORE, registered, utc

LEADS = "/summits/roadshow/partnering/companies/fair-vision/leads/"


@pytest.fixture
def julien(summit, fair_vision):
    user, _profile = registered(summit, "julien")
    fair_vision.members.add(user)
    return user


@pytest.fixture
def activity(summit, pitch_room, fair_vision, julien, attendee_paris, attendee_shanghai):
    """Camille visited twice and asked; Li Na met the company; Thomas asked only anonymously."""
    thomas, _ = registered(summit, "thomas")
    joined = utc(2027, 3, 30, 8, 0)
    Attendance.objects.create(user=attendee_paris, room=pitch_room, joined_at=joined)
    Attendance.objects.create(user=attendee_paris, room=pitch_room, joined_at=joined + dt.timedelta(hours=1))
    Attendance.objects.create(user=julien, room=pitch_room, joined_at=joined)
    Question.objects.create(room=pitch_room, author=attendee_paris, body="Price?")
    Question.objects.create(room=pitch_room, author=thomas, body="Secret?", is_anonymous=True)
    lina = services.my_profile(attendee_shanghai, summit)
    services.do_update_profile(attendee_shanghai, lina, services.ProfileChange(seeks=["distribution"]))
    services.ensure_profiles(summit)
    meeting = services.do_request_meeting(attendee_shanghai, summit, services.MeetingRequest(
        fair_vision.partner_profile.pk, utc(2027, 3, 30, 8, 0), 30), now=BEFORE)
    services.do_accept(julien, meeting)
    return meeting


def test_leads_list_visitors_askers_and_people_met_but_not_anonymous_askers_nor_the_team(
        activity, fair_vision):
    rows = {r["name"]: r for r in services.leads(fair_vision)}
    assert set(rows) == {"Camille Bernard", "Li Na"}
    assert (rows["Camille Bernard"]["visits"], rows["Camille Bernard"]["questions"]) == (2, 1)
    assert (rows["Li Na"]["meetings"], rows["Li Na"]["seeks"]) == (1, ["distribution"])


def test_leads_page_and_csv_are_for_members_and_organisers_only(activity, julien, organiser, attendee_paris,
                                                                stranger):
    assert signed_in(julien).get(LEADS).status_code == 200
    assert signed_in(organiser).get(LEADS).status_code == 200
    assert signed_in(attendee_paris).get(LEADS).status_code == 403
    assert signed_in(attendee_paris).get(LEADS.replace("leads/", "leads.csv")).status_code == 403
    assert signed_in(stranger).get(LEADS).status_code == 403
    response = signed_in(julien).get(LEADS.replace("leads/", "leads.csv"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert {r["name"]: r["seeks"] for r in rows} == {"Camille Bernard": "", "Li Na": "distribution"}


def test_another_companys_member_cannot_see_these_leads(activity, summit, julien):
    from events.models import Company
    other = Company.objects.create(summit=summit, slug="finwedge", name="Finwedge")
    spy, _ = registered(summit, "spy")
    other.members.add(spy)
    assert signed_in(spy).get(LEADS).status_code == 403
    assert signed_in(julien).get("/summits/roadshow/partnering/companies/finwedge/leads/").status_code == 403


def test_csv_cells_cannot_smuggle_formulas(summit, pitch_room, fair_vision, julien):
    evil, _ = registered(summit, "evil")
    evil.profile.name = "=HYPERLINK(\"http://x\")"
    evil.profile.save()
    Attendance.objects.create(user=evil, room=pitch_room, joined_at=utc(2027, 3, 30, 8, 0))
    body = signed_in(julien).get(LEADS.replace("leads/", "leads.csv")).content.decode()
    assert "'=HYPERLINK" in body


def test_organiser_dashboard_counts_per_company_and_theme(activity, summit, organiser, attendee_paris,
                                                          attendee_shanghai):
    services.do_update_profile(attendee_shanghai, services.my_profile(attendee_shanghai, summit),
                               services.ProfileChange(themes=["Medical devices"]))
    camille = services.my_profile(attendee_paris, summit)
    services.do_request_meeting(attendee_shanghai, summit, services.MeetingRequest(
        camille.pk, utc(2027, 3, 31, 8, 0), 30), now=BEFORE)
    figures = services.dashboard(organiser, summit, now=utc(2027, 4, 1))
    assert figures["totals"] == {"requested": 2, "accepted": 1, "held": 1}
    assert [(r["company"].slug, r["requested"], r["accepted"], r["held"]) for r in figures["companies"]] == [
        ("fair-vision", 1, 1, 1)]
    assert {r["theme"]: r["requested"] for r in figures["themes"]} == {"AI/ICT": 0, "Medical devices": 2}
    page = signed_in(organiser).get("/summits/roadshow/partnering/organiser/")
    assert page.status_code == 200 and "Fair Vision" in page.content.decode()


def test_dashboard_is_for_organisers_only(summit, attendee_client, django_assert_max_num_queries, organiser):
    assert attendee_client.get("/summits/roadshow/partnering/organiser/").status_code == 403
    with django_assert_max_num_queries(8):
        services.dashboard(organiser, summit)
