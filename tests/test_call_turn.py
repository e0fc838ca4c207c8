"""coturn itself, run the way the platform runs it: it takes the API's credentials and refuses forged or
expired ones, and the production command line refuses to relay to a loopback peer."""

import base64
import hashlib
import hmac
import re
import shutil
import subprocess
import time

import pytest
from django.core.management import call_command
from django.test import override_settings

from calls import services
from calls.management.commands import turnserver as turnserver_command
from calls.turn import DENIED_PEERS, turnserver_args
from tests.calls_helpers import TURN_SECRET, start_turnserver
from tests.servers import stop

UCLIENT_SECONDS = 20


def credential(username, secret=TURN_SECRET):
    return base64.b64encode(hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()).decode()


def uclient(port, username, password, peer="127.0.0.1"):
    """turnutils_uclient allocating a relay on coturn and sending to `peer`: its output."""
    if shutil.which("turnutils_uclient") is None:
        pytest.skip("turnutils_uclient (part of coturn) is missing")
    run = subprocess.run(
        [
            "turnutils_uclient",
            "-p",
            str(port),
            "-u",
            username,
            "-w",
            password,
            "-y",
            "-n",
            "3",
            "-m",
            "1",
            "-e",
            peer,
            "127.0.0.1",
        ],
        capture_output=True,
        text=True,
        timeout=UCLIENT_SECONDS,
    )
    return run.stdout + run.stderr


@pytest.fixture
def loopback_turn(tmp_path):
    process, port = start_turnserver(tmp_path, allow_loopback=True)
    yield port
    stop(process)


def relayed(output):
    """uclient's summary: how many packets came back through the relay."""
    return max((int(count) for count in re.findall(r"tot_recv_msgs=(\d+)", output)), default=0)


@override_settings(TURN_SECRET=TURN_SECRET)
def test_coturn_relays_with_the_apis_credentials_and_refuses_forged_and_expired_ones(loopback_turn):
    ice = services.turn_credentials(7)["ice_servers"][1]
    good = uclient(loopback_turn, ice["username"], ice["credential"])
    assert relayed(good) > 0, good

    forged = uclient(loopback_turn, ice["username"], credential(ice["username"], secret="not-the-secret"))
    assert relayed(forged) == 0 and ("401" in forged or "error" in forged.lower()), forged

    expired_name = f"{int(time.time()) - 60}:7"
    expired = uclient(loopback_turn, expired_name, credential(expired_name))
    assert relayed(expired) == 0, expired


def test_the_production_command_line_refuses_loopback_private_and_link_local_peers(tmp_path):
    argv = turnserver_args(port=3478, secret="x" * 20, realm="summit.test", relay_ports=(49160, 49200))
    assert "--allow-loopback-peers" not in argv and "--no-multicast-peers" in argv
    for denied in (
        "127.0.0.0-127.255.255.255",
        "10.0.0.0-10.255.255.255",
        "192.168.0.0-192.168.255.255",
        "172.16.0.0-172.31.255.255",
        "169.254.0.0-169.254.255.255",
        "::1",
    ):
        assert f"--denied-peer-ip={denied}" in argv and denied in DENIED_PEERS


def test_coturn_run_as_in_production_relays_nothing_to_a_loopback_peer(tmp_path):
    """Same credentials that work on the tests' instance; the production flags make the relay refuse 127.0.0.1."""
    process, port = start_turnserver(tmp_path, allow_loopback=False)
    try:
        name = f"{int(time.time()) + 600}:7"
        output = uclient(port, name, credential(name))
        assert relayed(output) == 0, output
    finally:
        stop(process)


def test_the_turnserver_command_relays_on_the_configured_port_range(settings, monkeypatch):
    settings.TURN_RELAY_PORTS = (50000, 50999)
    started = []
    monkeypatch.setattr(turnserver_command, "turnserver_path", lambda: "/usr/bin/turnserver")
    monkeypatch.setattr(turnserver_command.os, "execv", lambda path, argv: started.append(argv))
    call_command("turnserver")
    (argv,) = started
    assert argv[argv.index("--min-port") + 1] == "50000" and argv[argv.index("--max-port") + 1] == "50999"
