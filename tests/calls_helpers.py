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
    import random
    import socket
    import subprocess
    import time

    from calls.turn import turnserver_args
    from tests.servers import free_port

    require_turnserver()
    port = port or free_port()
    low = random.randrange(50000, 59000, 50)  # other test runs share this machine
    log = tmp_path / f"turn-{port}.log"
    argv = turnserver_args(
        port=port,
        secret=secret,
        realm="summit.test",
        listen="127.0.0.1",
        relay_ports=(low, low + 49),
        allow_loopback=allow_loopback,
        log_file=str(log),
    )
    argv += ["--relay-ip", "127.0.0.1", "--pidfile", str(tmp_path / f"turn-{port}.pid")]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"coturn exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            if answers_stun_over_udp(port):  # coturn opens its TCP listener before its UDP one
                return process, port
        except OSError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("coturn did not listen within 15 s")


def answers_stun_over_udp(port):
    """Whether a STUN binding request to 127.0.0.1:`port` over UDP gets an answer within half a second."""
    import os
    import socket

    request = b"\x00\x01\x00\x00\x21\x12\xa4\x42" + os.urandom(12)  # Binding, no attributes, magic cookie
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.settimeout(0.5)
        try:
            probe.sendto(request, ("127.0.0.1", port))
            answer, _address = probe.recvfrom(2048)
        except OSError:
            return False
    return answer[:2] == b"\x01\x01" and answer[8:20] == request[8:20]  # a Binding success for our request
