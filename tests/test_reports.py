"""Attendance reports: the figures, who may see them, and a stored report built and mailed once."""

import csv
import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.utils import timezone

from events.models import Registration
from livechat.attendance_totals import do_fold_closed_attendance
from livechat.models import Attendance, ChatMessage, Question, ReactionTally
from scheduler import reports, stored_reports
from scheduler.models import SummitReport
from tests.conftest import at_paris, count_queries, csrf_headers, make_person, signed_in

pytestmark = pytest.mark.django_db

DAY1 = dt.date(2027, 3, 29)
DAY2 = dt.date(2027, 3, 30)


def stay(user, room, day, start, end, session=None, **fields):
    """An interval as the live room records it: a closed one is folded into the report's totals."""
    row = Attendance.objects.create(
        user=user,
        room=room,
        session=session,
        joined_at=at_paris(day, start),
        left_at=at_paris(day, end) if end else None,
        **fields,
    )
    if end:
        do_fold_closed_attendance([row.pk])
    return row


@pytest.fixture
def recorded(summit, keynote, pitch, main_stage, pitch_room, organiser, attendee_paris, attendee_shanghai):
    """The keynote runs 09:00-10:00 Paris, the pitch 10:00-10:30 the next day."""
    stay(attendee_paris, main_stage, DAY1, "08:50", "09:30", keynote)  # 30 min inside the session
    stay(attendee_shanghai, main_stage, DAY1, "09:10", "09:20", keynote)
    stay(attendee_shanghai, main_stage, DAY1, "09:20", "10:30", keynote)  # a reconnect: 10 + 40 = 50 min
    stay(organiser, main_stage, DAY1, "09:15", None, keynote, last_seen_at=at_paris(DAY1, "09:40"))  # 25 min
    stay(attendee_paris, pitch_room, DAY2, "10:00", "10:10", pitch)
    stay(attendee_shanghai, pitch_room, DAY2, "10:05", "10:20", pitch)
    for body, status in (("Will it run in Qingdao?", "answered"), ("Pricing?", "approved")):
        Question.objects.create(room=main_stage, session=keynote, author=attendee_paris, body=body, status=status)
    Question.objects.create(room=pitch_room, session=pitch, author=attendee_paris, body="Distribution in China?")
    for seq in range(3):
        ChatMessage.objects.create(room=main_stage, session=keynote, author=attendee_shanghai, seq=seq + 1, body="你好")
    ReactionTally.objects.create(room=main_stage, session=keynote, emoji="👏", count=5)
    ReactionTally.objects.create(room=main_stage, session=keynote, emoji="❤️", count=2)
    return summit


def keynote_row(data):
    return next(row for row in data["sessions"] if row["title"] == "Opening keynote")


def test_session_figures_clip_watch_time_to_the_session(recorded):
    row = keynote_row(reports.build_report(recorded, now=at_paris(DAY2, "12:00")))
    assert row["unique_attendees"] == 3
    assert row["avg_watch_minutes"] == 35.0  # (30 + 50 + 25) / 3
    assert row["median_watch_minutes"] == 30.0
    assert (row["questions_asked"], row["questions_answered"]) == (2, 1)
    assert row["chat_messages"] == 3
    assert row["reactions"] == 7


def test_peak_counts_a_reconnect_once(recorded):
    row = keynote_row(reports.build_report(recorded, now=at_paris(DAY2, "12:00")))
    # At 09:20 Li Na leaves and rejoins: Camille, Li Na and the organiser, never four.
    assert row["peak_concurrent"] == 3


def test_registrations_by_country_organisation_and_time_zone(recorded):
    registrations = reports.build_report(recorded, now=at_paris(DAY2, "12:00"))["registrations"]
    assert registrations["total"] == 3
    assert registrations["by_country"] == [["FR", 2], ["CN", 1]]
    assert ["Asia/Shanghai", 1] in registrations["by_timezone"]
    assert ["Inria", 1] in registrations["by_organisation"]


def test_timeline_shows_people_connected_over_time(recorded):
    timeline = reports.build_report(recorded, now=at_paris(DAY2, "12:00"))["timeline"]
    counts = [n for _t, n in timeline["points"]]
    assert max(counts) == 3
    assert counts[-1] == 0  # everyone has left by the end


def test_report_query_count_does_not_grow_with_attendees_or_their_intervals(recorded, main_stage, keynote):
    now = at_paris(DAY2, "12:00")
    _small, small_count = count_queries(lambda: reports.build_report(recorded, now=now))
    for index in range(20):
        person = make_person(f"viewer{index}", organisation=f"Org {index}")
        Registration.objects.create(summit=recorded, user=person)
        stay(person, main_stage, DAY1, "09:05", "09:45", keynote)
        stay(person, main_stage, DAY1, "09:46", None, keynote)  # and still connected: open intervals too
    data, large_count = count_queries(lambda: reports.build_report(recorded, now=now))
    assert keynote_row(data)["unique_attendees"] == 23
    assert large_count == small_count


# --- CSV and pages -------------------------------------------------------------------------------


def test_organiser_downloads_attendance_csv(recorded, organiser_client):
    response = organiser_client.get("/api/summits/roadshow/reports/attendance.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    keynote = next(row for row in rows if row["title"] == "Opening keynote")
    assert keynote["unique_attendees"] == "3" and keynote["room"] == "Main stage"


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("attendee", 403)])
def test_attendance_csv_is_for_organisers_only(recorded, attendee_client, anonymous_client, who, status):
    client = attendee_client if who == "attendee" else anonymous_client
    response = client.get("/api/summits/roadshow/reports/attendance.csv")
    assert response.status_code == status
    assert "detail" in response.json()


def test_csv_cells_never_run_as_spreadsheet_formulas(recorded, keynote, organiser_client):
    keynote.title = '=HYPERLINK("http://evil.example","x")'
    keynote.save()
    body = organiser_client.get("/api/summits/roadshow/reports/attendance.csv").content.decode()
    assert "'=HYPERLINK" in body


def test_report_page_draws_charts_without_scripts_or_inline_styles(recorded, organiser_client):
    response = organiser_client.get("/summits/roadshow/reports/attendance/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<svg") == 2
    assert "<polyline" in page and 'class="bar"' in page
    assert "style=" not in page and "<script>" not in page
    assert "Opening keynote" in page and "Fair Vision pitch room" in page


def test_chart_coordinates_are_not_localised(recorded, organiser):
    organiser.profile.language = "fr"
    organiser.profile.save()
    client = signed_in(organiser)
    client.cookies["django_language"] = "fr"
    page = client.get("/summits/roadshow/reports/attendance/", headers={"Accept-Language": "fr"}).content.decode()
    assert 'lang="fr"' in page
    assert re.search(r'<rect x="\d+" y="\d+" width="\d+\.\d"', page)
    assert not re.search(r' (x|y|x1|x2|y1|y2|width|height)="\d+,\d+"', page)  # "247,2" is no SVG length


def test_report_page_refuses_attendees(recorded, attendee_client):
    assert attendee_client.get("/summits/roadshow/reports/attendance/").status_code == 403


# --- stored report: once per summit end -----------------------------------------------------------


def test_summit_end_builds_and_mails_one_report_when_triggered_twice(recorded, django_capture_on_commit_callbacks):
    after_end = at_paris(dt.date(2027, 4, 1), "00:01")
    with django_capture_on_commit_callbacks(execute=True):
        stored_reports.do_dispatch_ended_summits(now=after_end)
    with django_capture_on_commit_callbacks(execute=True):
        stored_reports.do_dispatch_ended_summits(now=after_end)
    report = SummitReport.objects.get()
    assert report.status == SummitReport.Status.READY and report.mailed_at is not None
    assert stored_reports.do_build_report(report.pk) == "not-claimed"
    [message] = mail.outbox
    assert message.to == ["organiser@example.org"]
    assert message.attachments[0].filename == "roadshow-attendance.csv"
    assert "/summits/roadshow/reports/attendance/" in message.body


def test_summit_still_running_gets_no_report(recorded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert stored_reports.do_dispatch_ended_summits(now=at_paris(dt.date(2027, 3, 31), "23:59")) == []
    assert not SummitReport.objects.exists()


def test_interim_report_is_rebuilt_once_after_each_session(
    recorded, keynote, pitch, django_capture_on_commit_callbacks
):
    now = timezone.now()
    type(keynote).objects.filter(pk=keynote.pk).update(
        starts_at=now - dt.timedelta(hours=3), ends_at=now - dt.timedelta(hours=2)
    )
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            stored_reports.do_dispatch_ended_summits()
    report = SummitReport.objects.get(key="interim")
    assert (report.status, report.generation) == (SummitReport.Status.READY, 0)
    # The pitch ends after that build: the next tick rebuilds, once.
    type(pitch).objects.filter(pk=pitch.pk).update(
        starts_at=now - dt.timedelta(minutes=40), ends_at=now - dt.timedelta(minutes=10)
    )
    SummitReport.objects.filter(pk=report.pk).update(generated_at=now - dt.timedelta(minutes=30))
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            stored_reports.do_dispatch_ended_summits()
    report.refresh_from_db()
    assert (report.status, report.generation) == (SummitReport.Status.READY, 1)
    assert mail.outbox == []


def test_organiser_regenerates_the_report_on_demand(recorded, organiser_client, django_capture_on_commit_callbacks):
    headers = csrf_headers(organiser_client)
    with django_capture_on_commit_callbacks(execute=True):
        first = organiser_client.post("/api/summits/roadshow/reports/", headers=headers)
    assert first.status_code == 202
    with django_capture_on_commit_callbacks(execute=True):
        again = organiser_client.post("/api/summits/roadshow/reports/", headers=headers)
    assert again.json()["generation"] == first.json()["generation"] + 1
    assert SummitReport.objects.get().status == SummitReport.Status.READY
    assert mail.outbox == []  # only the end of the summit mails the organisers
    page = organiser_client.get("/summits/roadshow/reports/attendance/").content.decode()
    assert "Stored report generated" in page


def test_report_page_button_regenerates_for_organisers_only(
    recorded, organiser_client, attendee_client, django_capture_on_commit_callbacks
):
    url = "/summits/roadshow/reports/attendance/regenerate/"
    assert attendee_client.post(url, headers=csrf_headers(attendee_client)).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(url, headers=csrf_headers(organiser_client))
    assert response.status_code == 302
    assert SummitReport.objects.get().status == SummitReport.Status.READY


def test_attendee_cannot_request_a_report(recorded, attendee_client):
    response = attendee_client.post("/api/summits/roadshow/reports/", headers=csrf_headers(attendee_client))
    assert response.status_code == 403
    assert not SummitReport.objects.exists()


# --- polls ---------------------------------------------------------------------------------------


def hold_poll(room, author, question, options, ballots, close=True):
    """A poll with `ballots` = [(person, [option positions])], through the live rules."""
    from livechat import polls

    poll = polls.do_create_poll(author.pk, room.pk, "staff", question, options)["event"]
    for person, positions in ballots:
        polls.do_vote_in_poll(person.pk, room.pk, poll["id"], [poll["options"][p]["id"] for p in positions])
    if close:
        polls.do_close_poll(author.pk, room.pk, "staff", poll["id"])
    return poll


@pytest.fixture
def polled(recorded, main_stage, keynote, organiser, attendee_paris, attendee_shanghai):
    """The keynote held one poll, closed with Europe 1, China 2, while it was live."""
    from livechat.models import Poll

    hold_poll(
        main_stage,
        organiser,
        "Which market first?",
        ["Europe", "China"],
        [(attendee_paris, [0]), (attendee_shanghai, [1]), (organiser, [1])],
    )
    Poll.objects.update(session=keynote)
    return recorded


def test_report_lists_each_sessions_polls_with_their_final_counts(polled):
    data = reports.build_report(polled, now=at_paris(DAY2, "12:00"))
    (poll,) = keynote_row(data)["polls"]
    assert poll["question"] == "Which market first?" and poll["status"] == "closed" and poll["voters"] == 3
    assert poll["options"] == [{"label": "Europe", "votes": 1}, {"label": "China", "votes": 2}]
    assert next(row for row in data["sessions"] if row["title"] == "Fair Vision pitch")["polls"] == []


def test_attendance_csv_carries_the_poll_results(polled, organiser_client):
    body = organiser_client.get("/api/summits/roadshow/reports/attendance.csv").content.decode()
    keynote = next(row for row in csv.DictReader(io.StringIO(body)) if row["title"] == "Opening keynote")
    assert keynote["polls"] == "Which market first? Europe 1 · China 2 (3 voters)"


def test_report_page_shows_the_poll_results(polled, organiser_client):
    page = organiser_client.get("/summits/roadshow/reports/attendance/").content.decode()
    assert "Which market first?" in page and 'id="polls"' in page


def test_report_poll_queries_do_not_grow_with_polls_or_ballots(polled, main_stage, keynote, organiser):
    from livechat.models import Poll

    now = at_paris(DAY2, "12:00")
    _small, small_count = count_queries(lambda: reports.build_report(polled, now=now))
    voters = []
    for index in range(10):
        person = make_person(f"voter{index}")
        Registration.objects.create(summit=polled, user=person)
        voters.append((person, [index % 3]))
    hold_poll(main_stage, organiser, "What do you seek?", ["Customers", "Investors", "Partners"], voters)
    Poll.objects.update(session=keynote)
    data, large_count = count_queries(lambda: reports.build_report(polled, now=now))
    assert [p["voters"] for p in keynote_row(data)["polls"]] == [3, 10]
    assert large_count == small_count
