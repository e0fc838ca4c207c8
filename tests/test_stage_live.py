"""The live stage end to end with real parts: nginx with the RTMP module, ffmpeg, Daphne, a Celery worker.

Each test starts its own media server on free ports from the configuration the platform renders, a
Daphne and a worker on the test database (so PostgreSQL: a subprocess cannot open SQLite's in-memory
test database), and pushes ffmpeg test patterns as a presenter's encoder would.

The parts and their readers are in tests/stage_stack.py; the browser's view is in test_stage_browser.py,
scripts/media and other processes in test_stage_processes.py.
"""

import asyncio
import datetime as dt
import json
import secrets
import subprocess
import urllib.error
import urllib.request

import pytest

from stage.models import Channel, Recording
from stage.services import channels, media, mediaconfig
from tests.conftest import csrf_headers, session_cookie, signed_in
from tests.live import orm
from tests.servers import (
    free_port,
    start_media_server,
    stop,
)
from tests.stage_stack import (
    INGEST,
    LIVE_WITHIN,
    OFFLINE_WITHIN,
    REPLAY_WITHIN,
    exits_refused,
    fetch,
    ingest_keys,
    live_languages,
    open_room,
    playlist_with_segments,
    rotate_keys,
    stage_state_where,
    start_edge_cache,
    until,
)

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]


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
