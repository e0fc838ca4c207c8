"""Calendar feeds that real calendar apps accept, and that follow a session when it moves."""

import datetime as dt

import pytest
from icalendar import Calendar

from events.models import Bookmark
from events.services import SessionChange, do_ensure_agenda_feed, do_update_session

pytestmark = pytest.mark.django_db(transaction=True)


def events_of(response):
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return [c for c in calendar.walk("VEVENT")]


def test_schedule_feed_has_utc_times_and_stable_uids(anonymous_client, keynote, pitch):
    first = events_of(anonymous_client.get("/summits/roadshow/schedule.ics"))
    second = events_of(anonymous_client.get("/summits/roadshow/schedule.ics"))
    assert [e["uid"] for e in first] == [e["uid"] for e in second]
    assert len({e["uid"] for e in first}) == 2
    start = first[0].decoded("dtstart")
    assert start == dt.datetime(2027, 3, 29, 7, 0, tzinfo=dt.UTC)
    assert b"DTSTART:20270329T070000Z" in anonymous_client.get("/summits/roadshow/schedule.ics").content


def test_moved_session_keeps_its_uid_and_raises_its_sequence(anonymous_client, keynote, organiser):
    before = events_of(anonymous_client.get("/summits/roadshow/schedule.ics"))[0]
    do_update_session(
        organiser,
        keynote,
        SessionChange(
            starts_at=keynote.starts_at + dt.timedelta(hours=2), ends_at=keynote.ends_at + dt.timedelta(hours=2)
        ),
    )
    after = events_of(anonymous_client.get("/summits/roadshow/schedule.ics"))[0]
    assert after["uid"] == before["uid"]
    assert after["sequence"] > before["sequence"]
    assert after.decoded("dtstart") == dt.datetime(2027, 3, 29, 9, 0, tzinfo=dt.UTC)


def test_cancelled_session_is_marked_cancelled(anonymous_client, keynote, organiser):
    do_update_session(organiser, keynote, SessionChange(status="cancelled"))
    (event,) = events_of(anonymous_client.get("/summits/roadshow/schedule.ics"))
    assert event["status"] == "CANCELLED"


def test_agenda_feed_holds_only_my_sessions_and_needs_no_cookie(anonymous_client, attendee_paris, keynote, pitch):
    Bookmark.objects.create(user=attendee_paris, session=pitch)
    token = do_ensure_agenda_feed(attendee_paris)
    assert do_ensure_agenda_feed(attendee_paris) == token
    (event,) = events_of(anonymous_client.get(f"/agenda/{token}.ics"))
    assert event["summary"] == "Fair Vision pitch"


def test_unknown_agenda_feed_is_404(anonymous_client, db):
    assert anonymous_client.get("/agenda/nope.ics").status_code == 404


def test_unknown_summit_feed_is_404(anonymous_client, db):
    assert anonymous_client.get("/summits/nowhere/schedule.ics").status_code == 404


def test_schedule_feed_with_lang_is_written_in_that_language(anonymous_client, summit, keynote):
    summit.name_zh_hans = "创新路演"
    summit.save()
    keynote.title_zh_hans, keynote.description_zh_hans = "开幕主旨演讲", "青岛与索菲亚科技园的合作。"
    keynote.save()
    keynote.room.name_zh_hans = "主会场"
    keynote.room.save()
    cal = Calendar.from_ical(anonymous_client.get("/summits/roadshow/schedule.ics", {"lang": "zh-hans"}).content)
    assert str(cal["X-WR-CALNAME"]) == "创新路演"
    (event,) = [c for c in cal.walk() if c.name == "VEVENT"]
    assert str(event["SUMMARY"]) == "开幕主旨演讲"
    assert str(event["LOCATION"]) == "主会场"
    assert "青岛与索菲亚科技园的合作。" in str(event["DESCRIPTION"])
    # Without ?lang= a calendar app (no Accept-Language) gets the summit's main language.
    (plain,) = events_of(anonymous_client.get("/summits/roadshow/schedule.ics"))
    assert str(plain["SUMMARY"]) == "Opening keynote"


def test_schedule_feed_with_an_unknown_lang_is_422(anonymous_client, summit):
    assert anonymous_client.get("/summits/roadshow/schedule.ics", {"lang": "xx"}).status_code == 422


def test_agenda_feed_is_in_its_owners_language(anonymous_client, attendee_shanghai, keynote):
    keynote.title_zh_hans = "开幕主旨演讲"
    keynote.save()
    Bookmark.objects.create(user=attendee_shanghai, session=keynote)
    token = do_ensure_agenda_feed(attendee_shanghai)
    cal = Calendar.from_ical(anonymous_client.get(f"/agenda/{token}.ics").content)
    assert str(cal["X-WR-CALNAME"]) == "我的日程"
    (event,) = [c for c in cal.walk() if c.name == "VEVENT"]
    assert str(event["SUMMARY"]) == "开幕主旨演讲"
    (english,) = events_of(anonymous_client.get(f"/agenda/{token}.ics", {"lang": "en"}))
    assert str(english["SUMMARY"]) == "Opening keynote"


def test_feed_links_open_on_the_configured_site(anonymous_client, keynote, settings):
    settings.SITE_URL = "http://127.0.0.1:9123"
    (event,) = events_of(anonymous_client.get("/summits/roadshow/schedule.ics"))
    url = str(event["URL"])
    assert url == f"http://127.0.0.1:9123/summits/roadshow/sessions/{keynote.pk}/"
    assert anonymous_client.get(url.removeprefix("http://127.0.0.1:9123")).status_code == 200
