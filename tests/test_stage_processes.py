"""The live stage across processes: scripts/media runs and reloads the rendered configuration, and the
media server's callback to one Daphne reaches the sockets another holds."""

import asyncio
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from websockets.asyncio.client import connect

from stage.services import channels, media, mediaconfig
from tests.conftest import session_cookie
from tests.live import orm
from tests.servers import (
    ROOT,
    free_port,
    publish_test_pattern,
    start_daphne,
    stop,
)
from tests.stage_stack import (
    ROOM,
    ingest_keys,
    live_languages,
    stage_state_where,
)

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]


def test_media_script_runs_the_rendered_config_and_reloads_it_when_restream_targets_change(
    media_stack, organiser, live_pitch
):
    """scripts/media (what `make run` and the `media` service start): a target added while it runs is in
    the media server within seconds, so the room's relay application takes the platform's relay; a
    configuration nginx would refuse is reported and not loaded, and the media server goes on serving."""
    from stage.services import media, restream

    stack = media_stack
    stack.permit_loopback_targets()
    public_name = channels.do_ensure_channels(live_pitch.room)[0].public_name
    daphne = start_daphne(stack.web_port, stack.env, stack.tmp / "daphne.log", ready_path="/")
    stack.processes.append(daphne)
    log_path = stack.tmp / "scripts-media.log"
    with open(log_path, "w") as log:
        script = subprocess.Popen(
            [str(ROOT / "scripts" / "media")],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**stack.env, "PYTHON": sys.executable},
        )
    stack.processes.append(script)
    app = f"relay_{live_pitch.room_id}"
    relay = f"rtmp://127.0.0.1:{stack.rtmp_port}/{app}/{public_name}?token={media.publish_token(app, public_name)}"
    deadline = time.monotonic() + 60
    while not _listening(stack.rtmp_port):
        assert script.poll() is None and time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.2)
    # No target yet: the running media server has no relay application for the room.
    assert publish_test_pattern(relay, stack.tmp / "ffmpeg-before.log", seconds=5).wait(20) != 0

    def reloads():
        return log_path.read_text().count("configuration reloaded")

    restream.do_add_restream_target(organiser, live_pitch.room, f"rtmp://127.0.0.1:{free_port()}/ingest", "k")
    deadline = time.monotonic() + 30
    while reloads() < 1:
        assert time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.2)
    # nginx's new workers take over from the old ones at their own pace (slower on a loaded machine):
    # publish again until one of them accepts the relay, within the deadline. An old worker refuses it
    # at once (no such application), so each attempt ends quickly either way.
    deadline = time.monotonic() + 60
    attempt = 0
    while True:
        probe = publish_test_pattern(relay, stack.tmp / f"ffmpeg-after-{attempt}.log", seconds=3)
        stack.processes.append(probe)
        if probe.wait(30) == 0:
            break
        assert time.monotonic() < deadline, (stack.tmp / f"ffmpeg-after-{attempt}.log").read_text() + stack.logs()
        attempt += 1

    # A broken configuration is reported and not loaded: nginx goes on with the previous one. (Daphne
    # stops first: the callbacks of the probe's publish would write the configuration again.)
    stop(daphne)
    config = mediaconfig.config_path()
    config.write_text(config.read_text() + "\nthis is not nginx;\n")
    deadline = time.monotonic() + 30
    while "configuration refused" not in log_path.read_text():
        assert time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.2)
    assert reloads() == 1 and script.poll() is None and _listening(stack.rtmp_port)

    stop(script)
    # Stopping the script stops nginx with it; its workers close their listening sockets on their way out.
    deadline = time.monotonic() + 10
    while _listening(stack.rtmp_port):
        assert time.monotonic() < deadline, "nginx still listens after scripts/media stopped"
        time.sleep(0.2)


def _listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


async def test_stage_state_reaches_sockets_held_by_another_process(
    media_stack, redis_url, organiser, attendee_paris, live_pitch
):
    """The media server calls one Daphne; a socket on another hears it, through the room's one Redis channel."""
    stack = media_stack
    env = {**stack.env, "REDIS_URL": redis_url}
    ports = [stack.web_port, free_port()]
    for port, name in zip(ports, ("a", "b"), strict=True):
        stack.processes.append(
            await asyncio.to_thread(start_daphne, port, env, stack.tmp / f"daphne-{name}.log", ready_path="/")
        )
    await orm(ingest_keys, organiser)
    public_name = await orm(lambda: live_pitch.room.stage_channels.get(language="original").public_name)
    socket = await connect(
        f"ws://127.0.0.1:{ports[1]}/ws{ROOM}",
        origin=f"http://127.0.0.1:{ports[1]}",
        additional_headers={"Cookie": f"sessionid={await orm(session_cookie, attendee_paris)}"},
        open_timeout=10,
    )
    try:
        assert json.loads(await asyncio.wait_for(socket.recv(), 10))["stage"]["status"] == "offline"
        token = media.publish_token("stage", public_name)
        started = urllib.request.Request(
            f"http://127.0.0.1:{ports[0]}/stage/media/started/",
            data=f"call=publish&app=stage&name={public_name}&token={token}".encode(),
            headers={media.SECRET_HEADER: env["MEDIA_SECRET"]},
            method="POST",
        )
        assert (await asyncio.to_thread(urllib.request.urlopen, started, timeout=10)).status == 200
        frame = await stage_state_where(socket, lambda f: f["status"] == "live", 10, stack)
        assert live_languages(frame) == {"original"}
    finally:
        await socket.close()
