"""Shared set-up for the partnering tests: summits on real dates around Paris's clock changes."""

import datetime as dt
import zoneinfo

from events.models import Registration, Summit
from partnering import services
from tests.conftest import make_person

UTC = dt.UTC
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# Before the summer 2027 change (28 March), so every 2027 date below lies ahead.
BEFORE = dt.datetime(2027, 3, 1, tzinfo=UTC)


def make_summit(slug, first, last, themes=("AI/ICT", "Medical devices", "Robotics")):
    return Summit.objects.create(
        slug=slug,
        name=slug.title(),
        timezone="Europe/Paris",
        themes=list(themes),
        languages=["en"],
        starts_on=first,
        ends_on=last,
    )


def registered(summit, username, tz="Europe/Paris", country="FR", **fields):
    user = make_person(username, timezone=tz, country=country, organisation=fields.pop("organisation", ""))
    Registration.objects.create(summit=summit, user=user, role=fields.pop("role", Registration.Role.ATTENDEE))
    profile = services.my_profile(user, summit)
    if fields:
        services.do_update_profile(user, profile, services.ProfileChange(**fields))
    return user, profile


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)
