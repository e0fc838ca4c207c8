"""The demo summit has partnering profiles and Paris–Qingdao meetings, and seeding twice changes nothing."""

import datetime as dt
from unittest import mock

from django.core.management import call_command

from events.models import Summit
from partnering.models import Meeting, PartnerProfile

# The demo's days start on the seeding day; seeded on a Monday, they always hold a common slot.
MONDAY_MORNING = dt.datetime(2027, 3, 29, 6, 0, tzinfo=dt.UTC)


def test_seed_demo_creates_profiles_and_meetings_once(db, capsys):
    with mock.patch("django.utils.timezone.now", return_value=MONDAY_MORNING):
        call_command("seed_demo")
    summit = Summit.objects.get(slug="sophia-qingdao-ai-ict-roadshow")
    profiles = PartnerProfile.objects.filter(summit=summit)
    assert set(profiles.filter(company__isnull=False).values_list("company__slug", flat=True)) == {
        "fair-vision",
        "epicnpoc",
        "finwedge",
    }
    assert profiles.get(company__slug="fair-vision").seeks == ["distribution", "pilot-customer"]
    li_na = profiles.get(user__username="li.na@example.cn")
    assert (li_na.city, li_na.timezone, li_na.offers) == ("Qingdao", "Asia/Shanghai", ["distribution", "manufacturing"])
    meetings = list(Meeting.objects.filter(summit=summit).values_list("status", flat=True))
    assert {"requested", "accepted"} <= set(meetings)
    before = (profiles.count(), Meeting.objects.count())
    with mock.patch("django.utils.timezone.now", return_value=MONDAY_MORNING):
        call_command("seed_demo")
    assert (profiles.count(), Meeting.objects.count()) == before
