"""Booking and answering meetings through the pages, the private meeting page and the ICS feed."""

import datetime as dt

import pytest
from django.test import Client
from icalendar import Calendar

from events.models import Profile
from events.services import do_ensure_agenda_feed
from partnering import services
from partnering.models import Meeting
from tests.partnering_helpers import registered


def reads_english(*users):
    """For tests about booking, not language: these people see the pages in English (their fixtures read
    French or Chinese), so the page's English labels can stand as evidence."""
    Profile.objects.filter(user__in=users).update(language="en")


def form_client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def lina_in_qingdao(summit, attendee_shanghai):
    profile = services.my_profile(attendee_shanghai, summit)
    services.do_update_profile(attendee_shanghai, profile, services.ProfileChange(city="Qingdao"))
    return profile


def test_slot_picker_shows_both_local_times_and_books(summit, attendee_paris, attendee_shanghai, lina_in_qingdao):
    reads_english(attendee_paris, attendee_shanghai)
    camille = form_client(attendee_paris)
    page = camille.get(f"/summits/roadshow/partnering/partners/{lina_in_qingdao.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "09:00 Paris · 15:00 Qingdao" in body
    response = camille.post(
        f"/summits/roadshow/partnering/partners/{lina_in_qingdao.pk}/",
        {"starts_at": "2027-03-29T07:00:00+00:00", "duration_minutes": "30", "message": "Hello"},
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/meetings/{meeting.pk}/")
    theirs = form_client(attendee_shanghai).get("/summits/roadshow/partnering/meetings/").content.decode()
    assert "Camille Bernard" in theirs and "15:00 Qingdao" in theirs and "Waiting for your answer" in theirs


def test_booking_a_bad_time_through_the_page_says_why(summit, attendee_paris, lina_in_qingdao):
    camille = form_client(attendee_paris)
    url = f"/summits/roadshow/partnering/partners/{lina_in_qingdao.pk}/"
    for starts_at in ("2027-03-29T12:00:00+02:00", "tomorrow", ""):
        response = camille.post(url, {"starts_at": starts_at, "duration_minutes": "30"})
        assert response.status_code == 200
        assert 'class="error"' in response.content.decode()
    assert not Meeting.objects.exists()


def test_accept_through_the_page_opens_the_private_room_link(
    summit, attendee_paris, attendee_shanghai, lina_in_qingdao, organiser
):
    meeting = services.do_request_meeting(
        attendee_paris,
        summit,
        services.MeetingRequest(lina_in_qingdao.pk, dt.datetime.fromisoformat("2027-03-29T07:00:00+00:00"), 30),
    )
    lina = form_client(attendee_shanghai)
    lina.post(f"/summits/roadshow/partnering/meetings/{meeting.pk}/accept/")
    page = lina.get(f"/summits/roadshow/partnering/meetings/{meeting.pk}/").content.decode()
    assert f"/summits/roadshow/rooms/meeting-{meeting.pk}/" in page
    assert 'class="badge warn clock-change"' in page  # 2027-03-28 lies between now and then
    assert form_client(organiser).get(f"/summits/roadshow/partnering/meetings/{meeting.pk}/").status_code == 200
    other, _ = registered(summit, "thomas")
    assert form_client(other).get(f"/summits/roadshow/partnering/meetings/{meeting.pk}/").status_code == 403


def test_decline_and_propose_through_the_page(summit, attendee_paris, attendee_shanghai, lina_in_qingdao):
    first = services.do_request_meeting(
        attendee_paris,
        summit,
        services.MeetingRequest(lina_in_qingdao.pk, dt.datetime.fromisoformat("2027-03-29T07:00:00+00:00"), 30),
    )
    lina = form_client(attendee_shanghai)
    lina.post(f"/summits/roadshow/partnering/meetings/{first.pk}/propose/", {"starts_at": "2027-03-30T16:00+08:00"})
    first.refresh_from_db()
    assert first.starts_at.isoformat() == "2027-03-30T08:00:00+00:00" and first.proposed_by == lina_in_qingdao
    response = lina.post(f"/summits/roadshow/partnering/meetings/{first.pk}/propose/", {"starts_at": "soon"})
    assert response.status_code == 302
    form_client(attendee_paris).post(f"/summits/roadshow/partnering/meetings/{first.pk}/decline/", {"message": "Sorry"})
    first.refresh_from_db()
    assert (first.status, first.answer) == ("declined", "Sorry")


def test_meetings_feed_lists_my_meetings_by_token_only(summit, attendee_paris, attendee_shanghai, lina_in_qingdao):
    meeting = services.do_request_meeting(
        attendee_paris,
        summit,
        services.MeetingRequest(lina_in_qingdao.pk, dt.datetime.fromisoformat("2027-03-29T07:00:00+00:00"), 30),
    )
    services.do_accept(attendee_shanghai, meeting)
    token = do_ensure_agenda_feed(attendee_shanghai)
    response = Client().get(f"/summits/roadshow/meetings.ics?token={token}")
    events = [c for c in Calendar.from_ical(response.content).walk("VEVENT")]
    assert [(str(e["summary"]), e["dtstart"].dt.isoformat(), str(e["status"])) for e in events] == [
        ("Meeting with Camille Bernard", "2027-03-29T07:00:00+00:00", "CONFIRMED")
    ]
    assert Client().get("/summits/roadshow/meetings.ics?token=nope").status_code == 404


def test_agenda_feed_holds_my_sessions_and_my_meetings(
    summit, keynote, attendee_paris, attendee_shanghai, lina_in_qingdao
):
    from events.models import Bookmark

    Bookmark.objects.create(user=attendee_paris, session=keynote)
    meeting = services.do_request_meeting(
        attendee_paris,
        summit,
        services.MeetingRequest(lina_in_qingdao.pk, dt.datetime.fromisoformat("2027-03-30T07:00:00+00:00"), 30),
    )
    services.do_accept(attendee_shanghai, meeting)
    response = Client().get(f"/agenda/{do_ensure_agenda_feed(attendee_paris)}.ics")
    uids = sorted(str(e["uid"]).split("@")[0] for e in Calendar.from_ical(response.content).walk("VEVENT"))
    assert uids == [f"meeting-{meeting.pk}", f"session-{keynote.pk}"]


def test_picker_can_propose_a_new_time_for_an_existing_meeting(
    summit, attendee_paris, attendee_shanghai, lina_in_qingdao
):
    meeting = services.do_request_meeting(
        attendee_paris,
        summit,
        services.MeetingRequest(lina_in_qingdao.pk, dt.datetime.fromisoformat("2027-03-29T07:00:00+00:00"), 30),
    )
    camille_card = services.my_profile(attendee_paris, summit)
    lina = form_client(attendee_shanghai)
    page = lina.get(f"/summits/roadshow/partnering/partners/{camille_card.pk}/?propose={meeting.pk}&duration=30")
    assert f'action="/summits/roadshow/partnering/meetings/{meeting.pk}/propose/"' in page.content.decode()
    lina.post(
        f"/summits/roadshow/partnering/meetings/{meeting.pk}/propose/", {"starts_at": "2027-03-31T08:30:00+00:00"}
    )
    meeting.refresh_from_db()
    assert meeting.starts_at.isoformat() == "2027-03-31T08:30:00+00:00"
    wrong = lina.get(f"/summits/roadshow/partnering/partners/{lina_in_qingdao.pk}/?propose={meeting.pk}")
    assert wrong.status_code == 404


def test_a_company_member_books_for_the_company_through_the_picker(summit, attendee_shanghai, lina_in_qingdao):
    from events.models import Company

    company = Company.objects.create(summit=summit, slug="finwedge", name="Finwedge", country="FR")
    marc, _card = registered(summit, "marc")
    company.members.add(marc)
    client = form_client(marc)
    url = f"/summits/roadshow/partnering/partners/{lina_in_qingdao.pk}/"
    assert "?as=finwedge" in client.get(url).content.decode()
    assert 'name="as_company" value="finwedge"' in client.get(url + "?as=finwedge").content.decode()
    client.post(url, {"starts_at": "2027-03-29T07:00:00+00:00", "duration_minutes": "30", "as_company": "finwedge"})
    meeting = Meeting.objects.get()
    assert meeting.requester.company == company
    reads_english(attendee_shanghai)
    page = form_client(attendee_shanghai).get("/summits/roadshow/partnering/meetings/").content.decode()
    assert "Meeting with Finwedge" in page


def test_with_no_common_time_the_picker_offers_the_nearest_and_needs_my_agreement(
    summit, attendee_paris, lina_in_qingdao
):
    me = services.my_profile(attendee_paris, summit)
    services.do_update_profile(attendee_paris, me, services.ProfileChange(timezone="America/New_York"))
    reads_english(attendee_paris)
    camille = form_client(attendee_paris)
    url = f"/summits/roadshow/partnering/partners/{lina_in_qingdao.pk}/"
    body = camille.get(url).content.decode()
    assert "No common time" in body and "min outside your hours" in body
    nearest = "2027-03-30T09:30:00+00:00"  # 17:30 Qingdao, 05:30 New York
    assert nearest in body
    camille.post(url, {"starts_at": nearest, "duration_minutes": "30"})
    assert not Meeting.objects.exists()
    camille.post(url, {"starts_at": nearest, "duration_minutes": "30", "outside_hours_ok": "on"})
    meeting = Meeting.objects.get()
    assert meeting.starts_at.isoformat() == nearest
    page = camille.get(f"/summits/roadshow/partnering/meetings/{meeting.pk}/").content.decode()
    assert "Outside your office hours" in page and "Outside their office hours" not in page


def test_propose_another_time_opens_the_slot_picker_not_a_typed_time(
    summit, attendee_paris, attendee_shanghai, lina_profile
):
    reads_english(attendee_paris, attendee_shanghai)
    meeting = services.do_request_meeting(
        attendee_paris,
        summit,
        services.MeetingRequest(lina_profile.pk, dt.datetime.fromisoformat("2027-03-29T07:00:00+00:00"), 30),
    )
    lina = form_client(attendee_shanghai)
    listed = lina.get("/summits/roadshow/partnering/meetings/").content.decode()
    camille_card = services.my_profile(attendee_paris, summit)
    picker_url = f"/summits/roadshow/partnering/partners/{camille_card.pk}/?propose={meeting.pk}&amp;duration=30"
    assert picker_url in listed and "Propose another time" in listed
    assert "ISO 8601" not in listed and 'name="starts_at" required' not in listed
    picker = lina.get(picker_url.replace("&amp;", "&")).content.decode()
    assert picker.count('name="starts_at"') > 1  # one radio per common slot
    # The meeting being moved does not block its own time, and is not "requested" against itself.
    assert 'value="2027-03-29T07:00:00+00:00"' in picker and "data-requested" not in picker


def test_the_private_meeting_room_shows_chat_agenda_and_video_link_not_qa_or_reactions(
    summit, attendee_paris, attendee_shanghai, lina_profile
):
    reads_english(attendee_paris, attendee_shanghai)
    meeting = services.do_request_meeting(
        attendee_paris,
        summit,
        services.MeetingRequest(
            lina_profile.pk,
            dt.datetime.fromisoformat("2027-03-29T07:00:00+00:00"),
            30,
            message="Distribution in Shandong",
        ),
    )
    services.do_accept(attendee_shanghai, meeting)
    services.do_set_video_url(attendee_paris, meeting, "https://meet.example.org/fv-lina")
    page = form_client(attendee_paris).get(f"/summits/roadshow/rooms/meeting-{meeting.pk}/").content.decode()
    assert 'id="chat-form"' in page
    assert "Distribution in Shandong" in page and 'href="https://meet.example.org/fv-lina"' in page
    assert 'id="question-form"' not in page and 'class="reaction"' not in page
    assert 'class="stream' not in page


def test_every_partner_card_books_a_meeting_through_the_slot_picker(
    summit, attendee_paris, attendee_shanghai, lina_profile
):
    reads_english(attendee_paris)
    page = form_client(attendee_paris).get("/summits/roadshow/partnering/").content.decode()
    card = page[page.index(f'href="/summits/roadshow/partnering/partners/{lina_profile.pk}/"') :]
    assert (
        'class="button" href="/summits/roadshow/partnering/partners/%d/">Book a meeting</a>' % lina_profile.pk in card
    )
