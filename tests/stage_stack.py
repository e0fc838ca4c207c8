"""The live stage's real parts for tests: nginx with the RTMP module, Daphne and a Celery worker on the test
database, configured alike (tests/conftest.py's `media_stack` starts one per test), and ways to read them.

PostgreSQL only: a subprocess cannot open SQLite's in-memory test database.
"""

import asyncio
import json
import os
import secrets
import time
import urllib.error
import urllib.request

from django.db import connection
from websockets.asyncio.client import connect

from tests.conftest import csrf_headers, session_cookie, signed_in
from tests.live import orm
from tests.servers import (
    ROOT,
    free_port,
    publish_test_pattern,
    require_media_server,
    shared_database_url,
    start_celery_worker,
    start_daphne,
    start_media_script,
    start_media_server,
    stop,
)

ROOM = "/summits/roadshow/rooms/fair-vision/"
INGEST = "/api/summits/roadshow/rooms/fair-vision/ingest/"
LIVE_WITHIN = 15  # seconds, the contract's
OFFLINE_WITHIN = 20
REPLAY_WITHIN = 120


class MediaStack:
    """The media server, Daphne and a worker of one test, configured alike through settings and env."""

    def __init__(self, settings, tmp_path):
        require_media_server()
        database_url = shared_database_url(connection, "the media stack's Daphne and worker")
        self.tmp = tmp_path
        self.settings = settings
        self.rtmp_port, self.http_port, self.web_port = free_port(), free_port(), free_port()
        self.web = f"http://127.0.0.1:{self.web_port}"
        self.media_origin = f"http://127.0.0.1:{self.http_port}"
        values = {
            "RTMP_PORT": self.rtmp_port,
            "MEDIA_HTTP_PORT": self.http_port,
            "MEDIA_ORIGIN": self.media_origin,
            "MEDIA_DIR": tmp_path / "media",
            "MEDIA_PLATFORM_URL": self.web,
            "MEDIA_SECRET": secrets.token_hex(16),
            "RTMP_SERVER_URL": f"rtmp://127.0.0.1:{self.rtmp_port}/live",
            "HLS_FRAGMENT_SECONDS": 1,
            "HLS_PLAYLIST_SECONDS": 4,
        }
        for name, value in values.items():
            setattr(settings, name, value)
        self.env = {
            **os.environ,
            **{name: str(value) for name, value in values.items()},
            "DATABASE_URL": database_url,
            "SECRET_KEY": settings.SECRET_KEY,  # the session cookies made here must verify there
            "DEBUG": "0",
            "HTTPS": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": self.web,
            "VAR_DIR": str(tmp_path / "var"),
            "CELERY_BROKER_URL": "filesystem://",
            "CHANNEL_LAYER_PREFIX": f"stage-{secrets.token_hex(4)}",
            "LOG_LEVEL": "WARNING",
        }
        self.processes = []

    def start(self):
        """Start the media server as `make run` does (scripts/media: it renders the configuration and reloads
        nginx when a channel, target or replay changes it), then the worker and Daphne."""
        self.processes.append(start_media_script(self.env, self.rtmp_port, self.tmp / "nginx.log"))
        self.processes.append(start_celery_worker(self.env, self.tmp / "worker.log"))
        self.processes.append(start_daphne(self.web_port, self.env, self.tmp / "daphne.log", ready_path="/"))

    def permit_loopback_targets(self):
        """An operator's RESTREAM_PERMITTED_NETWORKS, so the stand-in target may run on this machine."""
        self.settings.RESTREAM_PERMITTED_NETWORKS = ["127.0.0.0/8"]
        self.env["RESTREAM_PERMITTED_NETWORKS"] = "127.0.0.0/8"

    def publish(self, stream_key, name, **options):
        return self.publish_to(f"rtmp://127.0.0.1:{self.rtmp_port}/live/{stream_key}", name, **options)

    def publish_to(self, url, name, **options):
        process = publish_test_pattern(url, self.tmp / f"ffmpeg-{name}.log", **options)
        self.processes.append(process)
        return process

    def logs(self):
        return "\n".join(f"--- {path.name}\n{path.read_text()[-2000:]}" for path in sorted(self.tmp.glob("*.log")))

    def stop_all(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                stop(process)


def fetch(url, cookie=None):
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read(), response.headers


async def frames(socket, timeout):
    """The frames of `socket` until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            yield json.loads(await asyncio.wait_for(socket.recv(), left))
        except TimeoutError:
            return


async def stage_state_where(socket, predicate, timeout, stack):
    async for frame in frames(socket, timeout):
        if frame["type"] == "stage.state" and predicate(frame):
            return frame
    raise AssertionError(f"no such stage.state within {timeout}s\n{stack.logs()}")


def live_languages(frame):
    return {stream["language"] for stream in frame["streams"] if stream["live"] and stream["kind"] == "hls"}


async def exits_refused(process, seconds=20):
    """An ffmpeg push the media server refused: it ends on its own, with an error."""
    code = await asyncio.to_thread(process.wait, seconds)
    return code != 0


async def until(condition, timeout, what, stack):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = await asyncio.to_thread(condition)
        if result:
            return result
        await asyncio.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}\n{stack.logs()}")


def playlist_with_segments(url):
    """The playlist's text and its first segment's bytes, once it lists one."""
    try:
        status, body, headers = fetch(url)
    except (urllib.error.URLError, OSError):
        return None
    text = body.decode()
    segments = [line for line in text.splitlines() if line and not line.startswith("#")]
    if status != 200 or not segments:
        return None
    base = url.rsplit("/", 1)[0]
    segment_status, segment, segment_headers = fetch(f"{base}/{segments[0]}")
    if segment_status != 200 or not segment:
        return None
    return {
        "text": text,
        "headers": headers,
        "segment_name": segments[0],
        "segment": segment,
        "segment_headers": segment_headers,
    }


def start_edge_cache(stack):
    """deploy/media-edge.conf in front of this stack's media server, as a Hong Kong edge would run it."""
    port = free_port()
    folder = stack.tmp / "edge"
    folder.mkdir()
    server = (ROOT / "deploy" / "media-edge.conf").read_text()
    for placeholder, value in (
        ("/var/cache/nginx/summit-media", str(folder / "cache")),
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("media-origin.example.org:8081", f"127.0.0.1:{stack.http_port}"),
    ):
        server = server.replace(placeholder, value)
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp = "\n".join(f"  {kind}_temp_path {folder / kind};" for kind in kinds)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must write the cache this test made
    (folder / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log stderr warn;\n"
        f"events {{ worker_connections 64; }}\nhttp {{\n  access_log off;\n{temp}\n{server}\n}}\n"
    )
    stack.processes.append(start_media_server(folder / "nginx.conf", port, stack.tmp / "edge-nginx.log"))
    return f"http://127.0.0.1:{port}"


def ingest_keys(person):
    response = signed_in(person).get(INGEST)
    assert response.status_code == 200, response.content
    return {key["language"]: key["stream_key"] for key in response.json()["keys"]}


def rotate_keys(person):
    client = signed_in(person)
    return client.post(INGEST + "rotate/", headers=csrf_headers(client)).status_code


async def open_room(stack, user):
    socket = await connect(
        f"ws://127.0.0.1:{stack.web_port}/ws{ROOM}",
        origin=stack.web,
        additional_headers={"Cookie": f"sessionid={await orm(session_cookie, user)}"},
        open_timeout=10,
    )
    state = json.loads(await asyncio.wait_for(socket.recv(), 10))
    assert state["type"] == "room.state", state
    return socket, state
