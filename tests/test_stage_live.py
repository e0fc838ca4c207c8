"""The live stage end to end with real parts: nginx with the RTMP module, ffmpeg, Daphne, a Celery worker.

Each test starts its own media server on free ports from the configuration the platform renders, a
Daphne and a worker on the test database (so PostgreSQL: a subprocess cannot open SQLite's in-memory
test database), and pushes ffmpeg test patterns as a presenter's encoder would.
"""

import asyncio
import datetime as dt
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest
from django.db import connection
from websockets.asyncio.client import connect

from stage.models import Channel, Recording
from stage.services import channels, media, mediaconfig
from tests.conftest import csrf_headers, services_required, session_cookie, signed_in
from tests.live import orm
from tests.servers import (
    ROOT,
    database_url_for,
    free_port,
    launch_chromium,
    publish_test_pattern,
    require_chromium,
    require_media_server,
    start_celery_worker,
    start_daphne,
    start_media_script,
    start_media_server,
    stop,
)

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]

ROOM = "/summits/roadshow/rooms/fair-vision/"
INGEST = "/api/summits/roadshow/rooms/fair-vision/ingest/"
LIVE_WITHIN = 15  # seconds, the contract's
OFFLINE_WITHIN = 20
REPLAY_WITHIN = 120


class MediaStack:
    """The media server, Daphne and a worker of one test, configured alike through settings and env."""

    def __init__(self, settings, tmp_path):
        require_media_server()
        database_url = database_url_for(connection)
        if database_url is None:
            reason = "the media stack's Daphne and worker need the test database in PostgreSQL (DATABASE_URL)"
            if services_required():
                pytest.fail(reason)
            pytest.skip(reason)
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


@pytest.fixture
def media_stack(settings, tmp_path):
    stack = MediaStack(settings, tmp_path)
    yield stack
    stack.stop_all()


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


async def test_presenter_goes_live_in_two_languages_attendees_hear_it_and_a_replay_follows(
    media_stack, presenter, organiser, attendee_paris, live_pitch
):
    stack = media_stack
    keys = await orm(ingest_keys, presenter)  # the channels first: the media server serves those it names
    await orm(stack.start)  # it reads the configuration's rows: a thread whose connection is closed
    camille, state = await open_room(stack, attendee_paris)
    try:
        assert state["stage"]["status"] == "offline" and state["stage"]["default_language"] == "fr"

        # A key the platform never issued is refused by the media server.
        assert await exits_refused(stack.publish("not-a-stream-key", "wrong"))

        original = stack.publish(keys["original"], "original", seconds=120)
        live = await stage_state_where(camille, lambda f: "original" in live_languages(f), LIVE_WITHIN, stack)
        assert live["status"] == "live"
        stream = next(s for s in live["streams"] if s["language"] == "original")
        assert stream["url"].startswith(f"{stack.media_origin}/hls/") and keys["original"] not in stream["url"]
        hls = await until(
            lambda: playlist_with_segments(stream["url"]), LIVE_WITHIN, "the playlist to list a segment", stack
        )
        assert keys["original"] not in hls["text"] and keys["original"] not in hls["segment_name"]
        assert hls["segment"][:1] == b"\x47"  # an MPEG-TS packet: a segment that plays
        # What a CDN in front needs (docs/stage.md): playlists never cached, segments cacheable, CORS.
        assert hls["headers"]["Cache-Control"] == "no-cache"
        assert hls["segment_headers"]["Cache-Control"] == "public, max-age=300"
        assert hls["segment_headers"]["Access-Control-Allow-Origin"] == "*"
        # The edge cache of deploy/media-edge.conf serves the playlist and segments, each once from the origin.
        edge = await asyncio.to_thread(start_edge_cache, stack)
        edge_url = stream["url"].replace(stack.media_origin, edge)
        through_edge = await until(lambda: playlist_with_segments(edge_url), LIVE_WITHIN, "the edge", stack)
        again = await asyncio.to_thread(fetch, f"{edge_url.rsplit('/', 1)[0]}/{through_edge['segment_name']}")
        assert again[1] == through_edge["segment"] and again[2]["X-Cache-Status"] == "HIT"
        assert again[2]["Access-Control-Allow-Origin"] == "*"

        # The French interpreter, sound only: Camille's default channel once it is live.
        french = stack.publish(keys["fr"], "french", seconds=120, audio_only=True)
        both = await stage_state_where(camille, lambda f: live_languages(f) == {"original", "fr"}, LIVE_WITHIN, stack)
        assert channels.choose_stream(both["streams"], state["stage"]["default_language"])["language"] == "fr"
        assert channels.choose_stream(both["streams"], "zh-hans")["language"] == "original"
        assert await orm(lambda: signed_in(attendee_paris).get(INGEST).status_code) == 403  # never the keys

        # New keys: the old one is refused at once, and the stream still using it is cut off.
        assert await orm(rotate_keys, organiser) == 200
        assert await exits_refused(stack.publish(keys["original"], "rotated"))
        await stage_state_where(camille, lambda f: live_languages(f) == {"fr"}, 30, stack)
        assert await asyncio.to_thread(original.wait, 10) != 0

        stop(french)
        offline = await stage_state_where(camille, lambda f: f["status"] == "offline", OFFLINE_WITHIN, stack)
        assert live_languages(offline) == set()

        # Both publishes become replays of the live session, remuxed by the worker.
        cookie = await orm(session_cookie, attendee_paris)
        stage_url = f"{stack.web}/api/summits/roadshow/rooms/fair-vision/stage/"

        def two_replays():
            recordings = json.loads(fetch(stage_url, cookie)[1])["recordings"]
            return recordings if len(recordings) == 2 else None

        recordings = await until(two_replays, REPLAY_WITHIN, "two replays", stack)
        assert {r["session_id"] for r in recordings} == {live_pitch.pk}
        assert {r["language"] for r in recordings} == {"original", "fr"}
        video = next(r for r in recordings if r["language"] == "original")
        # The media server serves a replay once its configuration names it (scripts/media reloads it).
        await until(lambda: playlist_with_segments(video["url"]), 30, "the replay to be served", stack)
        probe = subprocess.run(
            [
                "ffprobe",
                "-v",
                "error",
                "-show_entries",
                "format=duration:stream=codec_type",
                "-of",
                "json",
                video["url"],
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        probed = json.loads(probe.stdout)
        assert {s["codec_type"] for s in probed["streams"]} == {"video", "audio"}
        assert float(probed["format"]["duration"]) >= 2
        assert await orm(Recording.objects.filter(status=Recording.Status.READY).count) == 2
    finally:
        await camille.close()


async def test_presenters_stream_before_their_session_plays_backstage_only_until_an_organiser_puts_it_on_air(
    media_stack, presenter, organiser, attendee_paris, coming_pitch
):
    stack = media_stack
    await orm(stack.start)
    keys = await orm(ingest_keys, presenter)
    camille, state = await open_room(stack, attendee_paris)
    try:
        assert state["stage"]["status"] == "offline"
        stack.publish(keys["original"], "backstage", seconds=120)
        presenter_cookie = await orm(session_cookie, presenter)

        def backstage_preview():
            ingest = json.loads(fetch(f"{stack.web}{INGEST}", presenter_cookie)[1])
            original = next(key for key in ingest["keys"] if key["language"] == "original")
            return original if ingest["status"] == "backstage" else None

        original = await until(backstage_preview, LIVE_WITHIN, "the backstage preview", stack)
        hls = await until(
            lambda: playlist_with_segments(original["preview_url"]), LIVE_WITHIN, "the preview's segments", stack
        )
        assert hls["segment"][:1] == b"\x47"
        # The media server told the platform; the room's sockets heard a stage that is still offline.
        frame = await stage_state_where(camille, lambda f: True, LIVE_WITHIN, stack)
        assert frame["status"] == "offline" and original["preview_url"] not in json.dumps(frame)
        cookie = await orm(session_cookie, attendee_paris)
        stage = json.loads(fetch(f"{stack.web}/api/summits/roadshow/rooms/fair-vision/stage/", cookie)[1])
        assert stage["status"] == "offline" and original["preview_url"] not in json.dumps(stage)

        organiser_cookie = await orm(session_cookie, organiser)
        csrf = secrets.token_hex(16)  # a CSRF secret as Django makes them: 32 letters and digits
        request = urllib.request.Request(
            f"{stack.web}{INGEST}on-air/",
            method="POST",
            headers={
                "Cookie": f"sessionid={organiser_cookie}; csrftoken={csrf}",
                "X-CSRFToken": csrf,
                "Referer": f"{stack.web}/",
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.loads(response.read())["status"] == "on_air"
        live = await stage_state_where(camille, lambda f: f["status"] == "live", 10, stack)
        stream = next(s for s in live["streams"] if s["language"] == "original")
        assert stream["url"] == original["preview_url"]
    finally:
        await camille.close()


async def test_restream_target_receives_the_rooms_stream_relayed_and_cannot_reach_another_summits_stage(
    media_stack, organiser, attendee_paris, live_pitch, tmp_path
):
    """The relay goes through ffmpeg to the target; a target aimed at the media server's own stage
    application with another summit's public name (the issue's probe) puts nothing on that stage, even
    where an operator permitted loopback targets: the stage takes only the platform's relay tokens."""
    stack = media_stack
    stack.permit_loopback_targets()
    other_channel = await orm(other_summits_channel)
    # The stand-in for Bilibili or YouTube: a second RTMP server with one application.
    target_port = free_port()
    target_dir = tmp_path / "target"
    target_dir.mkdir()
    (target_dir / "nginx.conf").write_text(
        f"daemon off;\nworker_processes 1;\npid {target_dir / 'nginx.pid'};\nerror_log stderr warn;\n"
        f"load_module {mediaconfig.RTMP_MODULE};\nevents {{ worker_connections 64; }}\n"
        f"rtmp {{ server {{ listen {target_port}; application ingest {{ live on; }} }} }}\n"
    )
    target = start_media_server(target_dir / "nginx.conf", target_port, tmp_path / "target-nginx.log")
    try:
        client = await orm(signed_in, organiser)
        added = await orm(
            lambda: client.post(
                "/api/summits/roadshow/rooms/fair-vision/restream/",
                {"url": f"rtmp://127.0.0.1:{target_port}/ingest", "stream_key": "bilibili-key"},
                content_type="application/json",
                headers=csrf_headers(client),
            )
        )
        assert added.status_code == 201
        keys = await orm(ingest_keys, organiser)
        probe = await orm(
            lambda: client.post(
                "/api/summits/roadshow/rooms/fair-vision/restream/",
                {"url": f"rtmp://127.0.0.1:{stack.rtmp_port}/stage", "stream_key": other_channel.public_name},
                content_type="application/json",
                headers=csrf_headers(client),
            )
        )
        assert probe.status_code == 201  # loopback permitted here: only the relay token stands in the way
        await orm(stack.start)  # it reads the restream targets: a thread whose connection is closed
        camille, _state = await open_room(stack, attendee_paris)
        try:
            stack.publish(keys["original"], "original", seconds=120)
            await stage_state_where(camille, lambda f: "original" in live_languages(f), LIVE_WITHIN, stack)

            def relayed():
                probe = subprocess.run(
                    [
                        "ffprobe",
                        "-v",
                        "error",
                        "-show_entries",
                        "stream=codec_name",
                        "-of",
                        "json",
                        f"rtmp://127.0.0.1:{target_port}/ingest/bilibili-key",
                    ],
                    capture_output=True,
                    text=True,
                    timeout=20,
                )
                if probe.returncode != 0:
                    return None
                return {stream["codec_name"] for stream in json.loads(probe.stdout).get("streams", [])}

            assert await until(relayed, 30, "the target to receive the relay", stack) == {"h264", "aac"}
            # The probe's relay was refused: the other summit's channel is not live and recorded nothing.
            other = await orm(lambda: Channel.objects.get(pk=other_channel.pk))
            assert other.live_since is None
            assert not await orm(Recording.objects.filter(public_name=other_channel.public_name).exists)
        finally:
            await camille.close()
    finally:
        stop(target)


def other_summits_channel():
    """A channel of another summit's main stage, as an attacker who guessed its name would aim at it."""
    from events.models import Room, Summit

    other = Summit.objects.create(
        slug="other",
        name="Other summit",
        timezone="Europe/Paris",
        languages=["en"],
        starts_on=dt.date(2027, 5, 1),
        ends_on=dt.date(2027, 5, 2),
    )
    room = Room.objects.create(summit=other, slug="main", name="Main", kind=Room.Kind.STAGE)
    return channels.do_ensure_channels(room)[0]


async def test_private_rooms_stream_plays_only_under_a_signed_grant_and_nothing_publishes_without_a_relay_token(
    media_stack, organiser, live_pitch
):
    """A private room's live HLS: unsigned, expired or another room's grant is 403, the grant the stage
    API gives is 200 for the playlist and its segments; a publish straight to the internal applications
    (a local ffmpeg that knows the public name) is refused; the media server's log holds no stream key."""
    from events.models import Room

    stack = media_stack
    await orm(lambda: Room.objects.filter(pk=live_pitch.room_id).update(is_private=True))
    keys = await orm(ingest_keys, organiser)
    names = await orm(lambda: dict(Channel.objects.filter(room=live_pitch.room).values_list("language", "public_name")))
    other = await orm(other_summits_channel)
    await orm(stack.start)

    # Straight to the stage or the room's relay application, without the platform's relay token: refused.
    direct = f"rtmp://127.0.0.1:{stack.rtmp_port}/stage/{names['original']}"
    assert await exits_refused(stack.publish_to(direct, "direct-stage"))
    assert await exits_refused(stack.publish_to(f"{direct}?token=0-{'0' * 40}", "forged-token"))
    assert await orm(lambda: not Channel.objects.exclude(live_since=None).exists())

    stack.publish(keys["original"], "private", seconds=120)
    cookie = await orm(session_cookie, organiser)
    stage_url = f"{stack.web}/api/summits/roadshow/rooms/fair-vision/stage/"

    def signed_original():
        streams = json.loads(fetch(stage_url, cookie)[1])["streams"]
        stream = next(s for s in streams if s["language"] == "original")
        return stream["url"] if stream["live"] else None

    url = await until(signed_original, LIVE_WITHIN, "the private room's stream to be live", stack)
    assert url.startswith(f"{stack.media_origin}/grant/") and f"/hls/{names['original']}/index.m3u8" in url
    hls = await until(lambda: playlist_with_segments(url), LIVE_WITHIN, "the signed playlist", stack)
    assert hls["segment"][:1] == b"\x47"

    segment = f"{names['original']}/{hls['segment_name']}"
    _root, _grant, expires, token = url.removeprefix(stack.media_origin).split("/")[:4]
    other_grant = media.grant_prefix("hls", other.public_name).split("/")[3]
    refused = [
        f"{stack.media_origin}/hls/{names['original']}/index.m3u8",  # unsigned
        f"{stack.media_origin}/hls/{segment}",
        f"{stack.media_origin}{media.grant_prefix('hls', names['original'], now=1e9)}/hls/{segment}",  # expired
        f"{stack.media_origin}/grant/{int(expires) + 600}/{token}/hls/{segment}",  # a later expiry, same token
        f"{stack.media_origin}/grant/{expires}/{other_grant}/hls/{segment}",  # another room's grant
    ]
    for address in refused:
        with pytest.raises(urllib.error.HTTPError) as refusal:
            await asyncio.to_thread(fetch, address)
        refusal.value.close()
        assert refusal.value.code == 403, address

    log = (stack.tmp / "nginx.log").read_text()
    assert log and all(key not in log for key in keys.values())


# --- in the browser ------------------------------------------------------------------------------------


@pytest.mark.browser
def test_attendee_watches_in_their_language_switches_channel_sees_it_end_then_plays_the_replay_in_chromium(
    media_stack, presenter, attendee_paris, live_pitch
):
    from playwright.sync_api import expect, sync_playwright

    require_chromium()
    stack = media_stack
    keys = ingest_keys(presenter)  # the channels first: the media server serves those it names
    stack.start()
    cookie = session_cookie(attendee_paris)
    presenter_cookie = session_cookie(presenter)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            context = browser.new_context()
            context.add_cookies([{"name": "sessionid", "value": cookie, "url": stack.web}])
            page = context.new_page()
            problems, origins, policies = [], set(), []
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            # A live playlist asked for before its first segment is a 404 the player retries; anything else
            # (a script error, a CSP or CORS refusal) is a problem.
            page.on(
                "console",
                lambda m: (
                    m.type == "error"
                    and not m.text.startswith("Failed to load resource")
                    and problems.append(f"console: {m.text}")
                ),
            )
            page.on("request", lambda request: origins.add("{0.scheme}://{0.netloc}".format(urlsplit(request.url))))
            page.on(
                "response",
                lambda r: (
                    r.request.resource_type == "document"
                    and policies.append(r.headers.get("content-security-policy", ""))
                ),
            )
            expect.set_options(timeout=30_000)

            page.goto(f"{stack.web}{ROOM}")
            expect(page.locator("#room")).to_have_attribute("data-connection", "live")
            expect(page.locator("#stage-offline")).to_be_visible()

            # Julien, the presenter, waits on his Go live page, which follows the stream as it starts.
            backstage = browser.new_context()
            backstage.add_cookies([{"name": "sessionid", "value": presenter_cookie, "url": stack.web}])
            go_live = backstage.new_page()
            go_live.on("pageerror", lambda error: problems.append(f"go live page error: {error}"))
            go_live.on("request", lambda request: origins.add("{0.scheme}://{0.netloc}".format(urlsplit(request.url))))
            go_live.goto(f"{stack.web}{ROOM}go-live/")
            expect(go_live.locator("#go-live")).to_have_attribute("data-status", "offline")
            assert go_live.locator("#key-original").text_content() == keys["original"]

            playing = "() => document.getElementById('stage-video').currentTime > 2"
            original = stack.publish(keys["original"], "browser", seconds=120)
            expect(page.locator("#stage")).to_have_attribute("data-status", "live")
            expect(page.locator("#stage")).to_have_attribute("data-channel", "original")
            page.wait_for_function(playing, timeout=30_000)
            expect(go_live.locator("#go-live")).to_have_attribute("data-status", "on_air")
            go_live.wait_for_function(
                "() => document.getElementById('go-live-preview').currentTime > 1", timeout=30_000
            )
            backstage.close()

            # The French interpreter comes on: Camille, who reads French, is moved to that channel...
            french = stack.publish(keys["fr"], "browser-fr", seconds=120, audio_only=True)
            expect(page.locator("#stage")).to_have_attribute("data-channel", "fr")
            page.wait_for_function(playing, timeout=30_000)
            # ... picks the original instead, and the page remembers it after a reload.
            page.locator('#stage-channels button[data-language="original"]').click()
            expect(page.locator("#stage")).to_have_attribute("data-channel", "original")
            page.reload()
            expect(page.locator("#stage")).to_have_attribute("data-channel", "original")
            expect(page.locator('#stage-channels button[data-language="original"]')).to_have_attribute(
                "aria-pressed", "true"
            )
            page.wait_for_function(playing, timeout=30_000)

            stop(original)
            stop(french)
            expect(page.locator("#stage")).to_have_attribute("data-status", "offline", timeout=OFFLINE_WITHIN * 1000)
            expect(page.locator("#stage-offline")).to_be_visible()
            replays = page.locator("#stage-replays a.replay")
            expect(replays).to_have_count(2, timeout=REPLAY_WITHIN * 1000)
            replays.first.click()
            page.wait_for_function("() => document.getElementById('replay-video')?.currentTime > 1", timeout=30_000)

            assert problems == [], problems
            assert origins == {stack.web, stack.media_origin}, origins
            for policy in policies:
                directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
                assert directives["media-src"] == ["'self'", "blob:", stack.media_origin], policy
                assert directives["connect-src"] == ["'self'", stack.media_origin], policy
        finally:
            browser.close()


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
