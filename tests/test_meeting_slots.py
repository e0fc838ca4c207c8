"""Common slots follow both parties' wall clocks across Paris's 2027 clock changes."""

import datetime as dt

import pytest

from events.models import Bookmark, Company, Room, Session, Speaker
from partnering import services
from summit.errors import Invalid
from tests.conftest import at_paris, make_session
from tests.partnering_helpers import BEFORE, make_summit, registered, utc


def paris_times(slots):
    return [s["local"]["you"].strftime("%H:%M") for s in slots]


@pytest.fixture
def pair(db):
    def build(first, last=None, **them_fields):
        summit = make_summit(f"s-{first:%m%d}", first, last or first)
        _camille, paris = registered(summit, "camille", "Europe/Paris")
        _lina, shanghai = registered(summit, "lina", them_fields.pop("tz", "Asia/Shanghai"), "CN", **them_fields)
        return summit, paris, shanghai

    return build


def test_winter_window_is_0900_to_1100_paris_before_march_change(pair):
    summit, paris, shanghai = pair(dt.date(2027, 3, 26))  # Friday, Paris still UTC+1
    slots, common = services.common_slots(paris, shanghai, summit, 30, now=BEFORE)
    assert common
    assert paris_times(slots) == ["09:00", "09:30", "10:00", "10:30"]
    assert slots[0]["starts_at"] == utc(2027, 3, 26, 8, 0)
    assert slots[0]["local"]["them"].strftime("%H:%M%z") == "16:00+0800"
    assert slots[-1]["ends_at"] == utc(2027, 3, 26, 10, 0)  # 11:00 Paris, 18:00 Shanghai


def test_summer_window_is_0900_to_1200_paris_after_march_change(pair):
    summit, paris, shanghai = pair(dt.date(2027, 3, 29))  # Monday, Paris now UTC+2
    slots, _common = services.common_slots(paris, shanghai, summit, 30, now=BEFORE)
    assert paris_times(slots) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    assert slots[0]["local"]["you"].utcoffset() == dt.timedelta(hours=2)
    assert slots[0]["label"] == "09:00 Paris · 15:00 Shanghai"


def test_window_shrinks_back_to_1100_after_october_change(pair):
    summit, paris, shanghai = pair(dt.date(2027, 10, 29), dt.date(2027, 11, 1))  # Fri (summer) .. Mon (winter)
    slots, _common = services.common_slots(paris, shanghai, summit, 60, now=BEFORE)
    by_day = {}
    for slot in slots:
        by_day.setdefault(slot["local"]["you"].date(), []).append(slot["local"]["you"].strftime("%H:%M"))
    assert by_day == {
        dt.date(2027, 10, 29): ["09:00", "09:30", "10:00", "10:30", "11:00"],
        dt.date(2027, 11, 1): ["09:00", "09:30", "10:00"],
    }


def test_slots_after_a_clock_change_are_flagged_and_those_before_are_not(pair):
    summit, paris, shanghai = pair(dt.date(2027, 3, 26), dt.date(2027, 3, 29))
    slots, _common = services.common_slots(paris, shanghai, summit, 30, now=utc(2027, 3, 25, 12, 0))
    flags = {s["local"]["you"].date(): s["clock_change_before"] for s in slots}
    assert flags == {dt.date(2027, 3, 26): False, dt.date(2027, 3, 29): True}
    change = next(s for s in slots if s["clock_change_before"])["clock_changes"]
    assert change == [{"at": utc(2027, 3, 28, 1, 0), "timezone": "Europe/Paris"}]


def test_weekends_and_days_outside_the_summit_have_no_slots(pair):
    summit, paris, shanghai = pair(dt.date(2027, 3, 27), dt.date(2027, 3, 28))  # Saturday, Sunday
    slots, common = services.common_slots(paris, shanghai, summit, 30, now=BEFORE)
    assert slots == [] and common


def test_no_common_slot_gives_nearest_inside_their_hours(pair):
    summit, new_york, shanghai = pair(dt.date(2027, 3, 30), dt.date(2027, 3, 31))
    new_york.timezone = "America/New_York"
    slots, common = services.common_slots(new_york, shanghai, summit, 30, now=BEFORE)
    assert slots == [] and common
    nearest, common = services.common_slots(new_york, shanghai, summit, 30, now=BEFORE, nearest=True)
    assert not common and 0 < len(nearest) <= services.NEAREST_COUNT
    assert all(s["outside_hours"]["them"] == 0 and s["outside_hours"]["you"] > 0 for s in nearest)
    # Closest to New York's morning: 17:30 Shanghai is 05:30 New York, 210 minutes before 09:00.
    assert min(s["outside_hours"]["you"] for s in nearest) == 210


def test_accepted_meetings_are_not_offered_again(pair):
    summit, paris, shanghai = pair(dt.date(2027, 3, 26))
    from partnering.models import Meeting

    Meeting.objects.create(
        summit=summit,
        requester=paris,
        invitee=shanghai,
        proposed_by=paris,
        starts_at=utc(2027, 3, 26, 8, 30),
        ends_at=utc(2027, 3, 26, 9, 0),
        status="accepted",
    )
    slots, _common = services.common_slots(paris, shanghai, summit, 30, now=BEFORE)
    assert paris_times(slots) == ["09:00", "10:00", "10:30"]


@pytest.mark.parametrize("duration", [0, 7, 500])
def test_odd_durations_are_refused(pair, duration):
    summit, paris, shanghai = pair(dt.date(2027, 3, 26))
    with pytest.raises(Invalid):
        services.common_slots(paris, shanghai, summit, duration, now=BEFORE)


# --- what else keeps a party busy -----------------------------------------------------------------


@pytest.fixture
def agenda(db):
    """Camille (Paris) and Fair Vision's card on Monday 29 March 2027 (summer time: 09:00-12:00 Paris)."""
    summit = make_summit("agenda", dt.date(2027, 3, 29), dt.date(2027, 3, 29))
    camille, paris = registered(summit, "camille", "Europe/Paris")
    lina, shanghai = registered(summit, "lina", "Asia/Shanghai", "CN")
    company = Company.objects.create(summit=summit, slug="fair-vision", name="Fair Vision", country="FR")
    company_card = services.company_card(summit, company)  # in Paris, 09:00-18:00
    stage = Room.objects.create(summit=summit, slug="stage", name="Stage")
    return {
        "summit": summit,
        "camille": camille,
        "paris": paris,
        "lina": lina,
        "shanghai": shanghai,
        "company": company,
        "company_card": company_card,
        "stage": stage,
    }


def _paris(hhmm):
    return at_paris(dt.date(2027, 3, 29), hhmm)


def starts(slots):
    return [s["local"]["you"].strftime("%H:%M") for s in slots]


def test_a_session_the_person_bookmarked_keeps_them_busy(agenda):
    talk = make_session(agenda["summit"], agenda["stage"], "Talk", _paris("10:00"), 45)
    Bookmark.objects.create(user=agenda["camille"], session=talk)
    slots, _common = services.common_slots(agenda["paris"], agenda["shanghai"], agenda["summit"], 30, now=BEFORE)
    assert starts(slots) == ["09:00", "09:30", "11:00", "11:30"]
    # Li Na did not bookmark it: seen from her side the same slots are gone too (Camille is busy).
    theirs, _common = services.common_slots(agenda["shanghai"], agenda["paris"], agenda["summit"], 30, now=BEFORE)
    assert len(theirs) == 4


def test_a_draft_or_cancelled_session_keeps_nobody_busy(agenda):
    for status, hhmm in ((Session.Status.CANCELLED, "10:00"), (Session.Status.DRAFT, "11:00")):
        talk = make_session(agenda["summit"], agenda["stage"], "Talk", _paris(hhmm), 45, status=status)
        Bookmark.objects.create(user=agenda["camille"], session=talk)
    slots, _common = services.common_slots(agenda["paris"], agenda["shanghai"], agenda["summit"], 30, now=BEFORE)
    assert len(slots) == 6


def test_the_companys_pitch_and_its_speakers_talks_keep_the_company_busy(agenda):
    make_session(agenda["summit"], agenda["stage"], "Pitch", _paris("09:00"), 30, company=agenda["company"])
    panel = make_session(agenda["summit"], agenda["stage"], "Panel", _paris("11:30"), 30)
    panel.speakers.add(Speaker.objects.create(summit=agenda["summit"], name="Julien", company=agenda["company"]))
    slots, _common = services.common_slots(agenda["paris"], agenda["company_card"], agenda["summit"], 30, now=BEFORE)
    shown = starts(slots)
    assert "09:00" not in shown and "11:30" not in shown
    assert shown[:4] == ["09:30", "10:00", "10:30", "11:00"] and shown[4] == "12:00"
    # Another person is not kept busy by Fair Vision's pitch.
    others, _common = services.common_slots(agenda["paris"], agenda["shanghai"], agenda["summit"], 30, now=BEFORE)
    assert len(others) == 6


def test_a_session_the_person_speaks_in_keeps_them_busy(agenda):
    talk = make_session(agenda["summit"], agenda["stage"], "Talk", _paris("09:00"), 60)
    talk.speakers.add(Speaker.objects.create(summit=agenda["summit"], name="Camille", user=agenda["camille"]))
    slots, _common = services.common_slots(agenda["paris"], agenda["shanghai"], agenda["summit"], 30, now=BEFORE)
    assert starts(slots) == ["10:00", "10:30", "11:00", "11:30"]


def test_my_pending_request_marks_its_slot_requested_and_the_api_says_so(agenda, client):
    meeting = services.do_request_meeting(
        agenda["camille"],
        agenda["summit"],
        services.MeetingRequest(agenda["company_card"].pk, _paris("10:00"), 30),
        now=BEFORE,
    )
    slots, _common = services.common_slots(agenda["paris"], agenda["shanghai"], agenda["summit"], 30, now=BEFORE)
    assert len(slots) == 6  # still listed ...
    assert [s["requested"] for s in slots] == [None, None, meeting.pk, None, None, None]  # ... marked
    # Li Na's view: Camille's pending request is Camille's business, not hers.
    theirs, _common = services.common_slots(agenda["shanghai"], agenda["paris"], agenda["summit"], 30, now=BEFORE)
    assert [s["requested"] for s in theirs] == [None] * 6
    client.force_login(agenda["camille"])
    api = client.get(f"/api/summits/agenda/meetings/slots/?with={agenda['shanghai'].pk}").json()
    assert [s["requested"] for s in api] == [None, None, meeting.pk, None, None, None]
    page = client.get(f"/summits/agenda/partnering/partners/{agenda['shanghai'].pk}/").content.decode()
    assert page.count(f'data-requested="{meeting.pk}"') == 1  # shown, its radio disabled
    assert page.count(" disabled>") == 1


def test_the_meeting_being_moved_keeps_nobody_busy(agenda):
    meeting = services.do_request_meeting(
        agenda["camille"],
        agenda["summit"],
        services.MeetingRequest(agenda["shanghai"].pk, _paris("10:00"), 30),
        now=BEFORE,
    )
    slots, _common = services.common_slots(
        agenda["paris"], agenda["shanghai"], agenda["summit"], 30, now=BEFORE, exclude_meeting=meeting
    )
    assert [s["requested"] for s in slots] == [None] * 6
