"""Validation of what people type or send: time zones, languages, session times, stream addresses, clashes."""

import datetime as dt
import zoneinfo
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from events.models import (
    KNOWN_TIMEZONES,
    Session,
)
from summit.errors import Invalid

User = get_user_model()
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
# The zones offered first in time-zone pickers: the roadshow's two sides, then the usual others.
COMMON_TIMEZONES = [
    "Europe/Paris",
    "Asia/Shanghai",
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Asia/Singapore",
]


def check_timezone(name):
    if not name or name not in KNOWN_TIMEZONES:
        raise Invalid(_("“%(tz)s” is not a known time zone, e.g. Europe/Paris or Asia/Shanghai.") % {"tz": name})
    return zoneinfo.ZoneInfo(name)


def check_language(code):
    if code not in LANGUAGE_CODES:
        raise Invalid(_("Language must be one of %(codes)s.") % {"codes": ", ".join(LANGUAGE_CODES)})
    return code


def check_aware(value, field):
    if timezone.is_naive(value):
        raise Invalid(_("%(field)s needs a time zone offset, e.g. 2027-03-29T09:00:00+02:00.") % {"field": field})
    return value


# Sessions happen in this window: far-off dates are typing mistakes, and at the edges of what
# Python's datetime holds (year 1, year 9999 with an offset) time zone arithmetic overflows.
EARLIEST_SESSION = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST_SESSION = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def check_session_time(value, field):
    check_aware(value, field)
    if not EARLIEST_SESSION <= value < LATEST_SESSION:
        raise Invalid(_("%(field)s must fall between the years 2000 and 2099.") % {"field": field})
    return value


def check_session_times(starts_at, ends_at):
    check_session_time(starts_at, "starts_at")
    check_session_time(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise Invalid(_("A session must end after it starts."))


def stream_origins():
    """The origins a session's stream may come from: STREAM_HOSTS, the hosts the CSP lets pages frame."""
    return {origin.rstrip("/").lower() for origin in settings.STREAM_HOSTS}


def check_stream_url(url):
    """An https:// address on one of STREAM_HOSTS, or "" for none: anything else would be framed or linked
    from the session page (a `javascript:` address would run in the platform's origin)."""
    url = (url or "").strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        parts, port = None, None
    origin = ""
    if parts is not None and parts.scheme == "https" and parts.hostname and "@" not in parts.netloc:
        origin = f"https://{parts.hostname}" + (f":{port}" if port else "")
    if origin not in stream_origins():
        raise Invalid(
            _("The stream must be an https:// address on one of: %(hosts)s.")
            % {"hosts": ", ".join(sorted(stream_origins()))}
        )
    return url


def check_no_overlap(room, starts_at, ends_at, *, exclude_id=None):
    """Call inside a transaction that holds the room's row lock."""
    clashes = Session.objects.filter(room=room, starts_at__lt=ends_at, ends_at__gt=starts_at).exclude(
        status=Session.Status.CANCELLED
    )
    if exclude_id:
        clashes = clashes.exclude(pk=exclude_id)
    clash = clashes.first()
    if clash:
        raise Invalid(
            _("%(room)s already has “%(title)s” at that time: %(when)s.")
            % {"room": room.name, "title": clash.title, "when": when_text(clash.starts_at, clash.ends_at)}
        )


def when_text(starts_at, ends_at):
    """“Mon 30 Mar 2027, 10:00–10:30 (Europe/Paris)”: in the reader's time zone (the active one) and language."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    end_format = "TIME_FORMAT" if end.date() == start.date() else "SHORT_DATETIME_FORMAT"
    return "%s–%s (%s)" % (
        formats.date_format(start, "SHORT_DATETIME_FORMAT"),
        formats.date_format(end, end_format),
        timezone.get_current_timezone_name(),
    )
