"""A company's leads: who visited its pitch room, asked it questions or met it; seen by its team and organisers."""

import csv
import datetime as dt
import io

import pytest
from django.test import Client

from events.models import Company, Room
from livechat.models import Attendance, Question
from partnering import services
from partnering.models import ContactSharing
from scheduler import reports
from tests.conftest import make_person, signed_in
from tests.partnering_helpers import BEFORE, registered, utc

LEADS = "/summits/roadshow/partnering/companies/fair-vision/leads/"
CSV = "/summits/roadshow/partnering/companies/fair-vision/leads.csv"
API_CSV = "/api/summits/roadshow/companies/fair-vision/leads.csv"
NOW = utc(2027, 3, 31, 12, 0)


def visit(user, room, start, minutes=None, **fields):
    left_at = start + dt.timedelta(minutes=minutes) if minutes is not None else None
    return Attendance.objects.create(user=user, room=room, joined_at=start, left_at=left_at, **fields)


def by_name(rows):
    return {row["name"]: row for row in rows}


@pytest.fixture
def finwedge(summit):
    company = Company.objects.create(summit=summit, slug="finwedge", name="Finwedge", country="CN")
    Room.objects.create(
        summit=summit, slug="finwedge", name="Finwedge pitch room", kind=Room.Kind.PITCH, company=company, position=2
    )
    return company


@pytest.fixture
def spy(summit, finwedge):
    """A member of another pitching company."""
    user, _profile = registered(summit, "spy")
    finwedge.members.add(user)
    return user


@pytest.fixture
def activity(summit, main_stage, pitch_room, fair_vision, julien, attendee_paris, attendee_shanghai):
    """Camille visited twice (10 + 5 min) and asked; Li Na stayed 15 min, seeks distribution and met the
    company; Thomas asked only anonymously; Julien, of the team, visited and asked; what happened on the
    main stage is nobody's lead. Camille and Li Na agreed to share their contact with the summit's
    companies (tests/test_privacy.py shows what happens to those who did not)."""
    thomas, _ = registered(summit, "thomas")
    agree(summit, attendee_paris, attendee_shanghai)
    visit(attendee_paris, pitch_room, utc(2027, 3, 30, 8, 0), 10)
    visit(attendee_paris, pitch_room, utc(2027, 3, 30, 9, 0), 5)
    visit(attendee_paris, main_stage, utc(2027, 3, 29, 7, 0), 60)
    visit(attendee_shanghai, pitch_room, utc(2027, 3, 30, 8, 5), 15)
    visit(julien, pitch_room, utc(2027, 3, 30, 8, 0), 30)
    Question.objects.create(room=pitch_room, author=attendee_paris, body="Price?")
    Question.objects.create(room=pitch_room, author=julien, body="Can you hear us?")
    Question.objects.create(room=pitch_room, author=thomas, body="Secret?", is_anonymous=True)
    Question.objects.create(room=main_stage, author=attendee_shanghai, body="Keynote slides?")
    lina = services.my_profile(attendee_shanghai, summit)
    services.do_update_profile(attendee_shanghai, lina, services.ProfileChange(seeks=["distribution"]))
    services.do_create_missing_profiles(summit)
    meeting = services.do_request_meeting(
        attendee_shanghai,
        summit,
        services.MeetingRequest(fair_vision.partner_profile.pk, utc(2027, 3, 31, 8, 0), 30),
        now=BEFORE,
    )
    services.do_accept(julien, meeting)
    return meeting


def agree(summit, *people):
    for person in people:
        services.do_set_contact_sharing(person, summit, everyone=True)


def fair_vision_leads(summit, fair_vision):
    return services.leads(summit, [fair_vision], now=NOW)[fair_vision.pk]


# --- who is a lead, with which figures ------------------------------------------------------------


def test_leads_are_visitors_askers_and_people_met_but_not_anonymous_askers_nor_the_team(activity, summit, fair_vision):
    rows = fair_vision_leads(summit, fair_vision)
    assert [row["name"] for row in rows] == ["Li Na", "Camille Bernard"]  # a meeting ranks first


def test_lead_figures_count_visits_minutes_questions_and_meetings_in_pitch_rooms_only(activity, summit, fair_vision):
    rows = by_name(fair_vision_leads(summit, fair_vision))
    camille, lina = rows["Camille Bernard"], rows["Li Na"]
    assert (camille["visits"], camille["minutes"], camille["questions"], camille["meetings"]) == (2, 15.0, 1, 0)
    assert camille["first_visit"] == utc(2027, 3, 30, 8, 0)
    assert (camille["email"], camille["organisation"], camille["country"]) == ("camille@example.org", "Inria", "FR")
    assert (lina["visits"], lina["minutes"], lina["questions"], lina["meetings"]) == (1, 15.0, 0, 1)
    assert (lina["organisation"], lina["country"]) == ("Qingdao Rehabilitation Devices Co.", "CN")
    assert lina["seeks"] == ["distribution"]


def test_a_visit_still_open_counts_until_last_seen_else_until_now(
    summit, pitch_room, fair_vision, attendee_paris, attendee_shanghai
):
    visit(attendee_paris, pitch_room, NOW - dt.timedelta(minutes=40), last_seen_at=NOW - dt.timedelta(minutes=10))
    visit(attendee_shanghai, pitch_room, NOW - dt.timedelta(minutes=20))
    agree(summit, attendee_paris, attendee_shanghai)
    rows = by_name(fair_vision_leads(summit, fair_vision))
    assert (rows["Camille Bernard"]["minutes"], rows["Li Na"]["minutes"]) == (30.0, 20.0)


def test_people_met_through_a_team_members_own_profile_are_leads_while_the_meeting_is_live(
    summit, fair_vision, julien, attendee_paris, attendee_shanghai
):
    julien_card = services.my_profile(julien, summit)
    pending = services.do_request_meeting(
        attendee_paris, summit, services.MeetingRequest(julien_card.pk, utc(2027, 3, 30, 8, 0), 30), now=BEFORE
    )
    declined = services.do_request_meeting(
        attendee_shanghai, summit, services.MeetingRequest(julien_card.pk, utc(2027, 3, 30, 9, 0), 30), now=BEFORE
    )
    services.do_decline(julien, declined)
    agree(summit, attendee_paris, attendee_shanghai)
    rows = by_name(fair_vision_leads(summit, fair_vision))
    assert set(rows) == {"Camille Bernard"}
    assert rows["Camille Bernard"]["meetings"] == 1
    services.do_cancel(attendee_paris, pending)
    assert fair_vision_leads(summit, fair_vision) == []


def test_what_a_lead_seeks_is_shown_only_while_their_profile_is_visible(
    activity, summit, fair_vision, attendee_shanghai
):
    lina = services.my_profile(attendee_shanghai, summit)
    services.do_update_profile(
        attendee_shanghai, lina, services.ProfileChange(organisation="Hidden Co.", visible=False)
    )
    row = by_name(fair_vision_leads(summit, fair_vision))["Li Na"]
    assert (row["seeks"], row["profile_id"]) == ([], None)
    assert row["organisation"] == "Qingdao Rehabilitation Devices Co."  # not the hidden card's


def test_one_call_gives_each_company_only_its_own_leads(
    activity, summit, fair_vision, finwedge, spy, attendee_shanghai
):
    visit(attendee_shanghai, finwedge.rooms.get(), utc(2027, 3, 30, 10, 0), 5)
    visit(spy, finwedge.rooms.get(), utc(2027, 3, 30, 10, 0), 5)
    agree(summit, spy)
    found = services.leads(summit, [fair_vision, finwedge], now=NOW)
    assert [row["name"] for row in found[fair_vision.pk]] == ["Li Na", "Camille Bernard"]
    assert [(row["name"], row["visits"], row["meetings"]) for row in found[finwedge.pk]] == [("Li Na", 1, 0)]


def test_leads_query_count_does_not_grow_with_people(
    activity, summit, pitch_room, fair_vision, django_assert_num_queries
):
    with django_assert_num_queries(7):
        services.leads(summit, [fair_vision], now=NOW)
    for index in range(20):
        person, _ = registered(summit, f"visitor{index}", organisation=f"Org {index}")
        visit(person, pitch_room, utc(2027, 3, 30, 8, index), 5)
        Question.objects.create(room=pitch_room, author=person, body="And?")
    with django_assert_num_queries(7):
        rows = services.leads(summit, [fair_vision], now=NOW)[fair_vision.pk]
    assert len(rows) == 22


# --- who may see them -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LEADS, CSV, API_CSV])
def test_leads_are_for_the_companys_members_and_the_organisers_only(
    activity, julien, organiser, attendee_paris, stranger, spy, url
):
    assert signed_in(julien).get(url).status_code == 200
    assert signed_in(organiser).get(url).status_code == 200
    for outsider in (attendee_paris, stranger, spy):
        assert signed_in(outsider).get(url).status_code == 403, outsider
    if url == API_CSV:
        assert "detail" in signed_in(spy).get(url).json()


def test_a_member_cannot_see_another_companys_leads(activity, finwedge, julien):
    assert signed_in(julien).get("/summits/roadshow/partnering/companies/finwedge/leads/").status_code == 403
    assert signed_in(julien).get("/api/summits/roadshow/companies/finwedge/leads.csv").status_code == 403


def test_signed_out_people_are_sent_to_sign_in_and_the_api_says_401(activity):
    for url in (LEADS, CSV):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/signin/")
    response = Client().get(API_CSV)
    assert response.status_code == 401 and "detail" in response.json()


def test_an_unknown_company_is_404(summit, organiser):
    client = signed_in(organiser)
    assert client.get("/summits/roadshow/partnering/companies/nope/leads/").status_code == 404
    assert client.get("/summits/roadshow/partnering/companies/nope/leads.csv").status_code == 404
    response = client.get("/api/summits/roadshow/companies/nope/leads.csv")
    assert response.status_code == 404 and "detail" in response.json()


# --- the page and the CSV -------------------------------------------------------------------------


def test_page_lists_the_leads_with_what_they_seek(activity, organiser):
    page = signed_in(organiser).get(LEADS).content.decode()
    assert "Camille Bernard" in page and "camille@example.org" in page and "distribution" in page
    assert "Thomas" not in page and "julien@example.org" not in page
    assert 'href="/summits/roadshow/partnering/companies/fair-vision/leads.csv"' in page


def test_page_csv_and_api_csv_are_the_same_file(activity, julien):
    client = signed_in(julien)
    page_csv, api_csv = client.get(CSV), client.get(API_CSV)
    assert page_csv["Content-Type"].startswith("text/csv") and api_csv["Content-Type"].startswith("text/csv")
    assert (
        page_csv["Content-Disposition"]
        == api_csv["Content-Disposition"]
        == ('attachment; filename="fair-vision-leads.csv"')
    )
    assert page_csv.content == api_csv.content
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(page_csv.content.decode()))}
    assert {name: r["seeks"] for name, r in rows.items()} == {"Camille Bernard": "", "Li Na": "distribution"}
    camille = rows["Camille Bernard"]
    assert (camille["email"], camille["visits"], camille["minutes"], camille["questions"], camille["meetings"]) == (
        "camille@example.org",
        "2",
        "15.0",
        "1",
        "0",
    )
    assert camille["first_visit"] == "2027-03-30T08:00:00+00:00"


def test_csv_cells_cannot_smuggle_formulas(summit, pitch_room, fair_vision, julien):
    evil = make_person("evil", name='=HYPERLINK("http://evil.example","x")', organisation="+cmd|' /C calc'!A0")
    ContactSharing.objects.create(summit=summit, user=evil, shared=True)
    visit(evil, pitch_room, utc(2027, 3, 30, 8, 0), 5)
    for url in (CSV, API_CSV):
        body = signed_in(julien).get(url).content.decode()
        assert "'=HYPERLINK" in body and "'+cmd" in body
        assert "\n=" not in body and ",+" not in body


# --- the attendance report reads the same leads ----------------------------------------------------


def test_attendance_report_shows_each_pitching_companys_visitors_and_their_organisations(activity, summit):
    [pitch] = reports.build_report(summit, now=NOW)["pitch_rooms"]
    assert (pitch["company"], pitch["rooms"], pitch["visitors"]) == ("fair-vision", ["Fair Vision pitch room"], 2)
    assert pitch["organisations"] == [["Inria", 1], ["Qingdao Rehabilitation Devices Co.", 1]]  # not the team's


def test_attendance_report_links_each_pitching_company_to_its_leads_page(activity, organiser_client):
    page = organiser_client.get("/summits/roadshow/reports/attendance/").content.decode()
    assert f'href="{LEADS}"' in page
