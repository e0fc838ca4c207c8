"""Shared set-up for the call tests: an accepted meeting between Camille (Paris) and Li Na (Qingdao)."""

import datetime as dt

from partnering import services
from partnering.models import Meeting, Participation

STARTS_AT = dt.datetime(2027, 3, 29, 7, 0, tzinfo=dt.UTC)  # 09:00 Paris, 15:00 Qingdao; ahead of now


def accepted_meeting(summit, requester, invitee, invitee_profile, starts_at=STARTS_AT):
    meeting = services.do_request_meeting(
        requester, summit, services.MeetingRequest(invitee_profile.pk, starts_at, 30, message="Distribution")
    )
    return services.do_accept(invitee, meeting)


def move_into_the_past(meeting, minutes_ago=60):
    """The meeting ended `minutes_ago` minutes ago (its seats follow, as partnering keeps them)."""
    from django.utils import timezone

    ends_at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    starts_at = ends_at - dt.timedelta(minutes=30)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=starts_at, ends_at=ends_at)
    Participation.objects.filter(meeting=meeting).update(starts_at=starts_at, ends_at=ends_at)


def company_meeting(summit, member, invitee, invitee_profile, company="fair-vision", starts_at=STARTS_AT):
    """An accepted meeting that `member` asked for on behalf of their company."""
    meeting = services.do_request_meeting(
        member, summit, services.MeetingRequest(invitee_profile.pk, starts_at, 30, as_company=company)
    )
    return services.do_accept(invitee, meeting)


# --- a real coturn for the browser and TURN tests ------------------------------------------------

TURN_SECRET = "test-turn-secret-0123456789"


def require_turnserver():
    """Skip where coturn is missing, but fail where services are required (a broken machine, not a choice)."""
    import pytest

    from calls.turn import turnserver_path
    from tests.conftest import services_required

    if turnserver_path():
        return
    reason = "coturn is missing: install it (make system-packages) to run call tests"
    if services_required():
        pytest.fail(reason)
    pytest.skip(reason)


def start_turnserver(tmp_path, *, allow_loopback, secret=TURN_SECRET, port=None):
    """coturn on a free port of 127.0.0.1 (UDP and TCP), with a relay range of its own; (process, port).

    `allow_loopback` is what lets two browsers on one machine meet through it; the production
    command line (calls.turn) never has it.
    """
    from calls.turn import start_loopback_turnserver
    from tests.servers import free_port

    require_turnserver()
    port = port or free_port()
    return start_loopback_turnserver(
        tmp_path, port=port, secret=secret, realm="summit.test", allow_loopback=allow_loopback
    ), port
