"""The stage's rules through its API, pages and media-server callbacks, in process (both passes).

The real media server, ffmpeg pushes and browsers are in test_stage_live.py; here the callbacks are
called as nginx-rtmp calls them (form POSTs), and replays are remuxed by the real ffmpeg.
"""

import datetime as dt
import io
import ipaddress
import json
import os
import re
import shutil
import socket
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from stage.models import Channel, Recording, RestreamTarget
from stage.services import channels, media, mediaconfig, replays
from tests.conftest import csrf_headers, make_session, signed_in
from tests.live import join, next_frame, orm

STAGE = "/api/summits/roadshow/rooms/fair-vision/stage/"
INGEST = "/api/summits/roadshow/rooms/fair-vision/ingest/"
RESTREAM = "/api/summits/roadshow/rooms/fair-vision/restream/"

# The callbacks are async views whose database calls run on another thread: rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media_dir(settings, tmp_path):
    settings.MEDIA_DIR = tmp_path / "media"
    settings.RTMP_PORT = 19350


def callback(client, event, **form):
    """A POST as the media server sends it: the event's form fields, the shared secret as a header; a
    publish reaching an internal application carries the relay token the platform's relays carry."""
    if event in ("started", "relay", "restream") and "token" not in form:
        form["token"] = media.publish_token(form["app"], form["name"])
    return client.post(
        reverse(f"stage-media-{event}"),
        {"call": event, "addr": "127.0.0.1", "type": "live", **form},
        headers={media.SECRET_HEADER: settings.MEDIA_SECRET},
    )


async def acallback(event, **form):
    """`callback` from an async test, so the room's sockets hear what the callback broadcasts."""
    from django.test import AsyncClient

    if event in ("started", "relay", "restream") and "token" not in form:
        form["token"] = media.publish_token(form["app"], form["name"])
    return await AsyncClient().post(
        reverse(f"stage-media-{event}"),
        {"call": event, "addr": "127.0.0.1", "type": "live", **form},
        headers={media.SECRET_HEADER: settings.MEDIA_SECRET},
    )


def keys(response):
    return {key["language"]: key["stream_key"] for key in response.json()["keys"]}


# --- who may go live ------------------------------------------------------------------------


def test_organiser_and_the_presenting_companys_member_read_the_keys_nobody_else(
    organiser, presenter, attendee_paris, live_pitch, anonymous_client
):
    for person in (organiser, presenter):
        response = signed_in(person).get(INGEST)
        assert response.status_code == 200, response.content
        assert response.json()["server"] == settings.RTMP_SERVER_URL
        assert set(keys(response)) == {"original", "en", "fr", "zh-hans"}
    assert signed_in(attendee_paris).get(INGEST).status_code == 403
    assert anonymous_client.get(INGEST).status_code == 401
    assert signed_in(attendee_paris).get(reverse("go-live", args=["roadshow", "fair-vision"])).status_code == 403


def test_company_member_may_go_live_from_an_hour_before_their_session_even_when_another_comes_first(
    summit, pitch_room, presenter, fair_vision
):
    from events.models import Company

    other = Company.objects.create(summit=summit, slug="finwedge", name="Finwedge")
    now = timezone.now()
    make_session(summit, pitch_room, "Fair Vision later", now + dt.timedelta(hours=3), company=fair_vision)
    make_session(summit, pitch_room, "Fair Vision earlier today", now - dt.timedelta(hours=2), company=fair_vision)
    assert signed_in(presenter).get(INGEST).status_code == 403  # theirs ended, the next is hours away

    # The report's case: Finwedge comes next, Fair Vision's pitch starts 40 minutes from now.
    make_session(summit, pitch_room, "Finwedge pitch", now + dt.timedelta(minutes=20), company=other)
    make_session(summit, pitch_room, "Fair Vision soon", now + dt.timedelta(minutes=40), company=fair_vision)
    assert signed_in(presenter).get(INGEST).status_code == 200
    assert signed_in(presenter).get(reverse("go-live", args=["roadshow", "fair-vision"])).status_code == 200


def test_rotating_keys_gives_new_ones_and_the_media_server_refuses_the_old(organiser_client, live_pitch, client):
    old = keys(organiser_client.get(INGEST))
    assert callback(client, "publish", app="live", name=old["original"]).status_code == 302

    rotated = organiser_client.post(INGEST + "rotate/", headers=csrf_headers(organiser_client))
    assert rotated.status_code == 200
    new = keys(rotated)
    assert set(new.values()).isdisjoint(old.values())
    assert callback(client, "publish", app="live", name=old["original"]).status_code == 403
    assert callback(client, "update", app="live", name=old["original"]).status_code == 403
    assert callback(client, "publish", app="live", name=new["original"]).status_code == 302
    assert callback(client, "update", app="live", name=new["original"]).status_code == 200


# --- the media server's callbacks -----------------------------------------------------------


def test_valid_key_is_relayed_under_the_public_name_never_the_key(organiser_client, live_pitch, client):
    key = keys(organiser_client.get(INGEST))["fr"]
    response = callback(client, "publish", app="live", name=key)
    channel = Channel.objects.get(stream_key=key)
    assert response.status_code == 302
    location, token = response["Location"].split("?token=")
    assert location == f"rtmp://127.0.0.1:19350/stage/{channel.public_name}"
    media.check_publish_token("stage", channel.public_name, token)  # the relay may publish it there
    assert key not in response["Location"]
    assert callback(client, "publish", app="live", name="not-a-key").status_code == 403
    assert callback(client, "publish", app="stage", name=key).status_code == 403  # keys go to the ingest app


def test_callbacks_without_the_shared_secret_header_are_not_found(organiser_client, live_pitch, client):
    """The secret travels in a header the media server adds, never in a URL an access log would keep."""
    key = keys(organiser_client.get(INGEST))["original"]
    for event in ("publish", "update", "relay", "restream", "started", "stopped", "recorded"):
        url = reverse(f"stage-media-{event}")
        assert settings.MEDIA_SECRET not in url
        assert client.post(url, {"app": "live", "name": key}).status_code == 404
        wrong = client.post(url, {"app": "live", "name": key}, headers={media.SECRET_HEADER: "wrong-secret"})
        assert wrong.status_code == 404
    secret = {media.SECRET_HEADER: settings.MEDIA_SECRET}
    assert client.get(reverse("stage-media-publish"), headers=secret).status_code == 405


def test_callbacks_are_not_reachable_through_the_shipped_public_proxy(tmp_path):
    """deploy/nginx.conf answers 404 for /stage/media/… itself: no request reaches the platform."""
    import http.server
    import threading
    import urllib.error
    import urllib.request

    from tests.servers import start_nginx, stop

    seen = []

    class Upstream(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args):
            pass

    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    proxy, port = start_nginx(tmp_path, [upstream.server_address[1]])
    try:
        for path in (
            "/stage/media/publish/",
            "/stage/media/started/",
            "/stage/x/../media/stopped/",
            "//stage//media/recorded/",
        ):
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=b"app=stage&name=x")
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=10)
            refused.value.close()
            assert refused.value.code == 404, path
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/summits/", timeout=10) as answer:
            assert answer.status == 200
        assert seen == ["/summits/"]
    finally:
        stop(proxy)
        upstream.shutdown()
        upstream.server_close()


def test_internal_applications_take_a_publish_only_with_a_relay_token_for_that_application_and_name(
    organiser_client, attendee_client, live_pitch, client
):
    """A local process that knows a public name (or another room's) cannot put a stream on a stage."""
    organiser_client.get(INGEST)
    channel = Channel.objects.get(room=live_pitch.room, language="original")
    other = Channel.objects.get(room=live_pitch.room, language="fr")
    refused = [
        "",
        "0-" + "0" * 40,
        media.publish_token("stage", other.public_name),  # another channel's
        media.publish_token("relay_1", channel.public_name),  # another application's
        media.publish_token("stage", channel.public_name, expires=1_000_000_000),  # long expired
    ]
    for token in refused:
        response = callback(client, "started", app="stage", name=channel.public_name, token=token)
        assert response.status_code == 403, token
    assert attendee_client.get(STAGE).json()["status"] == "offline"
    assert not Recording.objects.exists()
    fresh = media.publish_token("stage", channel.public_name, expires=int(timezone.now().timestamp()) + 60)
    assert callback(client, "started", app="stage", name=channel.public_name, token=fresh).status_code == 200
    assert attendee_client.get(STAGE).json()["status"] == "live"


def test_publish_makes_the_channel_live_and_records_it_for_the_live_session(
    organiser_client, attendee_client, live_pitch, client
):
    organiser_client.get(INGEST)
    channel = Channel.objects.get(room=live_pitch.room, language="original")
    assert callback(client, "started", app="stage", name=channel.public_name).status_code == 200

    stage = attendee_client.get(STAGE).json()
    assert stage["status"] == "live"
    original = next(stream for stream in stage["streams"] if stream["language"] == "original")
    assert original == {
        "language": "original",
        "label": "Original",
        "kind": "hls",
        "live": True,
        "url": f"{settings.MEDIA_ORIGIN}/hls/{channel.public_name}/index.m3u8",
    }
    assert channel.stream_key not in json.dumps(stage)
    recording = Recording.objects.get(public_name=channel.public_name)
    assert recording.session == live_pitch and recording.status == Recording.Status.RECORDING

    assert callback(client, "stopped", app="stage", name=channel.public_name).status_code == 200
    assert attendee_client.get(STAGE).json()["status"] == "offline"


def test_recording_outside_the_media_servers_folder_is_refused(organiser_client, live_pitch, client):
    organiser_client.get(INGEST)
    channel = Channel.objects.get(room=live_pitch.room, language="original")
    callback(client, "started", app="stage", name=channel.public_name)
    response = callback(client, "recorded", app="stage", name=channel.public_name, path="/etc/passwd")
    assert response.status_code == 403
    assert Recording.objects.get().status == Recording.Status.RECORDING


# --- what attendees see -------------------------------------------------------------------------


def test_stage_offers_each_channel_and_embeds_stay_possible_per_language(organiser_client, attendee_client, live_pitch):
    organiser_client.get(INGEST)
    Channel.objects.filter(room=live_pitch.room, language="zh-hans").update(
        embed_url="https://player.bilibili.com/player.html?bvid=BV1"
    )
    stage = attendee_client.get(STAGE).json()
    assert stage["status"] == "offline" and stage["recordings"] == []
    assert stage["default_language"] == "fr"  # Camille reads French
    assert [stream["language"] for stream in stage["streams"]] == ["original", "en", "fr", "zh-hans"]
    chinese = stage["streams"][-1]
    assert chinese["kind"] == "embed" and chinese["url"].startswith("https://player.bilibili.com/")
    assert [s["kind"] for s in stage["streams"][:3]] == ["hls", "hls", "hls"]
    assert not any(s["live"] for s in stage["streams"][:3])


def test_a_person_deleted_while_joining_gets_the_summits_language_not_an_error(live_pitch, attendee_paris):
    gone = attendee_paris.pk
    attendee_paris.delete()
    (part,) = channels.room_state_part(live_pitch.room_id, [(gone, "attendee")])
    assert part["default_language"] == live_pitch.summit.language


def test_stage_is_for_those_who_may_enter_the_room(live_pitch, stranger, anonymous_client):
    assert signed_in(stranger).get(STAGE).status_code == 403
    assert anonymous_client.get(STAGE).status_code == 401


def test_viewer_starts_on_their_language_when_live_else_the_original():
    streams = [
        {"language": "original", "live": True},
        {"language": "fr", "live": False},
        {"language": "zh-hans", "live": True},
    ]
    assert channels.choose_stream(streams, "zh-hans")["language"] == "zh-hans"
    assert channels.choose_stream(streams, "fr")["language"] == "original"
    assert channels.choose_stream(streams, "fr", choice="zh-hans")["language"] == "zh-hans"
    assert channels.choose_stream([{"language": "fr", "live": False}], "fr") is None


async def test_room_state_carries_the_stage_and_every_socket_hears_stage_state(
    organiser, attendee_paris, attendee_shanghai, live_pitch, cookies
):
    from django.test import AsyncClient

    await orm(lambda: signed_in(organiser).get(INGEST))
    public_name = await orm(lambda: Channel.objects.get(room=live_pitch.room, language="original").public_name)
    path = "/ws/summits/roadshow/rooms/fair-vision/"
    camille, state = await join(await cookies(attendee_paris), path)
    lina, lina_state = await join(await cookies(attendee_shanghai), path)
    try:
        assert state["stage"]["status"] == "offline" and state["stage"]["default_language"] == "fr"
        assert lina_state["stage"]["default_language"] == "zh-hans"
        assert len(state["stage"]["streams"]) == 4

        response = await AsyncClient().post(
            reverse("stage-media-started"),
            {"app": "stage", "name": public_name, "token": media.publish_token("stage", public_name)},
            headers={media.SECRET_HEADER: settings.MEDIA_SECRET},
        )
        assert response.status_code == 200
        for socket in (camille, lina):
            frame = await next_frame(socket)
            assert frame["type"] == "stage.state" and frame["status"] == "live"
            assert next(s for s in frame["streams"] if s["language"] == "original")["live"] is True
    finally:
        await camille.disconnect()
        await lina.disconnect()


# --- replays ----------------------------------------------------------------------------------------


def _flv(path, seconds=3):
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=160x120:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine",
            "-t",
            str(seconds),
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-g",
            "25",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-f",
            "flv",
            str(path),
        ],
        check=True,
    )


@pytest.fixture
def recorded(settings, organiser_client, live_pitch, client):
    """A finished publish of the pitch: its FLV written where the media server writes, the callback made."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is missing: make system-packages installs it")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    organiser_client.get(INGEST)
    channel = Channel.objects.get(room=live_pitch.room, language="original")
    callback(client, "started", app="stage", name=channel.public_name)
    callback(client, "stopped", app="stage", name=channel.public_name)
    folder = mediaconfig.media_dir() / "recordings"
    folder.mkdir(parents=True)
    flv = folder / f"{channel.public_name}-1700000000.flv"
    _flv(flv)
    return channel, flv


def test_finished_recording_is_remuxed_into_a_replay_of_the_session(recorded, client, attendee_client, live_pitch):
    channel, flv = recorded
    response = callback(client, "recorded", app="stage", name=channel.public_name, path=str(flv))
    assert response.status_code == 200
    recording = Recording.objects.get()
    assert recording.status == Recording.Status.READY and recording.session == live_pitch
    assert 2.5 <= recording.duration_s <= 3.5
    playlist = replays.replay_folder(recording) / "index.m3u8"
    text = playlist.read_text()
    assert "#EXT-X-PLAYLIST-TYPE:VOD" in text and "#EXT-X-ENDLIST" in text
    assert channel.stream_key not in text and re.search(r"segment\d+\.ts", text)
    listed = attendee_client.get(STAGE).json()["recordings"]
    assert [(r["id"], r["session_id"], r["url"]) for r in listed] == [
        (recording.pk, live_pitch.pk, f"{settings.MEDIA_ORIGIN}/replays/{recording.slug}/index.m3u8")
    ]
    # Twice is once: the task leaves a ready replay alone, a repeated callback finds nothing waiting.
    assert replays.do_remux(recording.pk) == Recording.Status.READY
    assert callback(client, "recorded", app="stage", name=channel.public_name, path=str(flv)).status_code == 200
    assert Recording.objects.count() == 1


def test_session_page_and_room_offer_the_replay_and_organisers_can_hide_it(
    recorded, client, attendee_client, organiser_client, live_pitch
):
    channel, flv = recorded
    callback(client, "recorded", app="stage", name=channel.public_name, path=str(flv))
    recording = Recording.objects.get()
    session_page = reverse("session-detail", args=["roadshow", live_pitch.pk])
    replay_page = reverse("replay", args=["roadshow", recording.slug])
    room_page = reverse("room", args=["roadshow", "fair-vision"])
    for page in (session_page, room_page):
        assert replay_page in attendee_client.get(page).content.decode()
    page = attendee_client.get(replay_page).content.decode()
    assert f'data-hls="{settings.MEDIA_ORIGIN}/replays/{recording.slug}/index.m3u8"' in page

    url = f"/api/summits/roadshow/recordings/{recording.pk}/"
    assert (
        attendee_client.patch(
            url, {"hidden": True}, content_type="application/json", headers=csrf_headers(attendee_client)
        ).status_code
        == 403
    )
    hidden = organiser_client.patch(
        url, {"hidden": True}, content_type="application/json", headers=csrf_headers(organiser_client)
    )
    assert hidden.status_code == 200 and hidden.json()["hidden"] is True
    assert attendee_client.get(STAGE).json()["recordings"] == []
    for page in (session_page, room_page):
        assert replay_page not in attendee_client.get(page).content.decode()
    assert attendee_client.get(replay_page).status_code == 404
    assert organiser_client.get(replay_page).status_code == 200
    assert [r["hidden"] for r in organiser_client.get(STAGE).json()["recordings"]] == [True]


# --- restream targets and the media server's configuration -------------------------------------------


def test_restream_targets_are_for_organisers_and_become_push_lines_of_the_rooms_relay(
    organiser_client, attendee_client, presenter, live_pitch, client
):
    headers = csrf_headers(organiser_client)
    organiser_client.get(INGEST)  # the room's channels: the relay pushes its original
    target = {"url": "rtmp://live-push.bilivideo.com/live-bvc", "stream_key": "?streamname=live_1&key=abc"}
    assert (
        attendee_client.post(
            RESTREAM, target, content_type="application/json", headers=csrf_headers(attendee_client)
        ).status_code
        == 403
    )
    presenter_client = signed_in(presenter)
    assert presenter_client.get(RESTREAM).status_code == 403  # presenters go live, organisers pick the relays
    created = organiser_client.post(RESTREAM, target, content_type="application/json", headers=headers)
    assert created.status_code == 201
    assert organiser_client.get(RESTREAM).json() == [{"id": created.json()["id"], **target}]

    config = mediaconfig.config_path().read_text()  # written when the target was committed
    relay = f"relay_{live_pitch.room_id}"
    assert f"application {relay} {{" in config
    # ffmpeg relays it (output to /dev/null, not a log), after the target's own app re-checks the address.
    target_app = config.split(f"application restream_{created.json()['id']} {{")[1].split("}")[0]
    assert "on_publish http://unix:callbacks.sock:/stage/media/restream/;" in target_app
    assert "-c copy -f flv rtmp://live-push.bilivideo.com/live-bvc/?streamname=live_1&key=abc;" in target_app
    for channel_key in keys(organiser_client.get(INGEST)).values():
        assert channel_key not in config
    original = keys(organiser_client.get(INGEST))["original"]
    french = keys(organiser_client.get(INGEST))["fr"]
    public = {channel.language: channel.public_name for channel in Channel.objects.filter(room=live_pitch.room)}
    assert f"/{relay}/{public['original']}?token=" in callback(client, "publish", app="live", name=original)["Location"]
    assert f"/stage/{public['fr']}?token=" in callback(client, "publish", app="live", name=french)["Location"]

    removed = organiser_client.delete(f"{RESTREAM}{created.json()['id']}/", headers=headers)
    assert removed.status_code == 204
    assert relay not in mediaconfig.config_path().read_text()


@pytest.mark.parametrize(
    "url,key",
    [
        ("http://example.org/live", ""),
        ("rtmp://evil.example/live; } include /etc/passwd; #", ""),
        ("rtmp://ok.example/live", "key; push rtmp://evil/"),
        ("rtmp://ok.example/live", "key\nworker_processes 9"),
    ],
)
def test_restream_target_holding_anything_but_an_rtmp_address_is_refused(organiser_client, live_pitch, url, key):
    response = organiser_client.post(
        RESTREAM,
        {"url": url, "stream_key": key},
        content_type="application/json",
        headers=csrf_headers(organiser_client),
    )
    assert response.status_code == 422 and response.json()["detail"]
    assert not RestreamTarget.objects.exists()


@pytest.fixture
def dns(monkeypatch):
    """Names resolve from this table only (no lookup leaves the machine); unknown names do not resolve."""
    from stage.services import restream

    table = {"live-push.bilivideo.com": ["101.91.135.10"], "a.rtmp.youtube.com": ["2a00:1450:4001:80b::200c"]}

    def resolve(host, port):
        if host in table:
            return table[host]
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None

    monkeypatch.setattr(restream, "resolve", resolve)
    return table


def add_target(client, url, key="k"):
    return client.post(
        RESTREAM, {"url": url, "stream_key": key}, content_type="application/json", headers=csrf_headers(client)
    )


@pytest.mark.parametrize(
    "url",
    [
        "rtmp://127.0.0.1:1935/stage",  # loopback: the issue's probe, onto another summit's stage
        "rtmp://127.1.2.3/live",
        "rtmp://localhost:1935/live",  # a name that resolves to loopback
        "rtmp://[::1]/live",
        "rtmp://[::ffff:127.0.0.1]/live",  # v4-mapped loopback
        "rtmp://[::ffff:10.0.0.1]/live",
        "rtmp://[64:ff9b::a9fe:a9fe]/live",  # NAT64 of the metadata address
        "rtmp://10.0.0.1/live",  # private
        "rtmp://192.168.1.20/live",
        "rtmp://172.16.0.5/live",
        "rtmp://[fd00::1]/live",
        "rtmp://100.64.0.1/live",  # shared address space
        "rtmp://169.254.169.254/live",  # link-local: a cloud's metadata service
        "rtmp://[fe80::1]/live",
        "rtmp://224.0.0.1/live",  # multicast
        "rtmp://[ff02::1]/live",
        "rtmp://0.0.0.0/live",  # unspecified
        "rtmp://[::]/live",
        "rtmps://media.summit.example/live",  # the platform's own address
    ],
)
def test_restream_target_at_a_local_private_or_the_platforms_own_address_is_refused(
    organiser_client, live_pitch, dns, settings, url
):
    dns["localhost"] = ["127.0.0.1", "::1"]
    dns["media.summit.example"] = ["203.0.113.80"]
    settings.MEDIA_ORIGIN = "https://media.summit.example"
    response = add_target(organiser_client, url)
    assert response.status_code == 422, response.content
    assert "public address" in response.json()["detail"]
    assert not RestreamTarget.objects.exists()


def test_restream_target_named_by_a_host_that_resolves_to_loopback_is_refused(organiser_client, live_pitch, dns):
    dns["innocent.example.org"] = ["93.184.216.34", "127.0.0.1"]  # one bad address is enough
    assert add_target(organiser_client, "rtmp://innocent.example.org/live").status_code == 422
    dns["innocent.example.org"] = ["::ffff:7f00:1"]
    assert add_target(organiser_client, "rtmp://innocent.example.org/live").status_code == 422
    assert not RestreamTarget.objects.exists()


def test_restream_targets_over_rtmp_and_rtmps_at_public_addresses_are_accepted(organiser_client, live_pitch, dns):
    assert add_target(organiser_client, "rtmp://live-push.bilivideo.com/live-bvc").status_code == 201
    assert add_target(organiser_client, "rtmps://a.rtmp.youtube.com:443/live2", "abcd-1234").status_code == 201
    assert add_target(organiser_client, "rtmp://93.184.216.34/live").status_code == 201
    assert RestreamTarget.objects.count() == 3


def test_relay_to_a_target_is_checked_again_as_it_starts(organiser_client, live_pitch, dns, client):
    """A name that resolved to a public address when saved and to loopback when the relay starts (or no
    longer resolves) is not relayed to: the target's application refuses the publish."""
    organiser_client.get(INGEST)
    dns["rebinding.example.org"] = ["93.184.216.34"]
    target = add_target(organiser_client, "rtmp://rebinding.example.org/live").json()
    app = f"restream_{target['id']}"
    name = Channel.objects.get(room=live_pitch.room, language="original").public_name
    assert callback(client, "restream", app=app, name=name).status_code == 200
    assert callback(client, "restream", app=app, name=name, token="").status_code == 403  # from the relay only
    dns["rebinding.example.org"] = ["127.0.0.1"]
    assert callback(client, "restream", app=app, name=name).status_code == 403
    del dns["rebinding.example.org"]
    assert callback(client, "restream", app=app, name=name).status_code == 403
    # A target written without the checks (the admin, an old row) is checked the same way.
    old = RestreamTarget.objects.create(room=live_pitch.room, url="rtmp://127.0.0.1:1935/stage", stream_key="x")
    assert callback(client, "restream", app=f"restream_{old.pk}", name=name).status_code == 403


def test_relay_application_takes_only_its_rooms_original_with_a_relay_token(organiser_client, live_pitch, client):
    organiser_client.get(INGEST)
    original = Channel.objects.get(room=live_pitch.room, language="original").public_name
    french = Channel.objects.get(room=live_pitch.room, language="fr").public_name
    relay = f"relay_{live_pitch.room_id}"
    assert callback(client, "relay", app=relay, name=original).status_code == 200
    assert callback(client, "relay", app=relay, name=original, token="").status_code == 403
    assert callback(client, "relay", app=relay, name=french).status_code == 403
    assert callback(client, "relay", app=f"relay_{live_pitch.room_id + 1}", name=original).status_code == 403


def test_rendered_config_authenticates_its_callbacks_and_confines_the_internal_application(
    live_pitch, organiser_client, dns
):
    organiser_client.get(INGEST)
    add_target(organiser_client, "rtmps://a.rtmp.youtube.com/live2", "abcd-1234")
    config = mediaconfig.render_config()
    # The callbacks go through a socket only nginx's workers open; the secret is a header there, in no URL.
    for line in config.splitlines():
        if line.strip().startswith(("on_publish", "on_update", "on_record_done")):
            assert "http://unix:callbacks.sock:/stage/media/" in line and settings.MEDIA_SECRET not in line
    assert f'proxy_set_header {media.SECRET_HEADER} "{settings.MEDIA_SECRET}";' in config
    assert f"listen unix:{mediaconfig.callback_socket()};" in config
    assert f"listen 127.0.0.1:{settings.RTMP_PORT};" in config  # loopback unless MEDIA_LISTEN_ADDRESS says
    assert f"listen 127.0.0.1:{settings.MEDIA_HTTP_PORT};" in config
    stage_app = config.split("application stage {")[1].split("}")[0]
    assert "allow publish 127.0.0.1;" in stage_app and "deny publish all;" in stage_app
    assert "deny play all;" in stage_app and "allow play" not in stage_app
    assert "on_publish http://unix:callbacks.sock:/stage/media/started/;" in stage_app  # checks the relay token
    assert f"hls_fragment {settings.HLS_FRAGMENT_SECONDS}s;" in stage_app
    # The real nginx accepts it.
    path = mediaconfig.config_path()
    mediaconfig.write_config()
    checked = subprocess.run(
        ["/usr/sbin/nginx", "-t", "-e", "stderr", "-p", str(path.parent), "-c", str(path)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr


# --- pages ------------------------------------------------------------------------------------------


def test_go_live_page_shows_server_keys_and_rotates_them(presenter, live_pitch):
    client = signed_in(presenter)
    page_url = reverse("go-live", args=["roadshow", "fair-vision"])
    page = client.get(page_url).content.decode()
    old = Channel.objects.get(room=live_pitch.room, language="original").stream_key
    assert settings.RTMP_SERVER_URL in page and old in page
    assert "Restream" not in page  # organisers only
    response = client.post(page_url, {"action": "rotate"}, headers=csrf_headers(client))
    assert response.status_code == 302
    new = Channel.objects.get(room=live_pitch.room, language="original").stream_key
    assert new != old and new in client.get(page_url).content.decode()


def test_room_page_links_to_go_live_for_the_presenter_only(presenter, attendee_paris, live_pitch):
    room_page = reverse("room", args=["roadshow", "fair-vision"])
    go_live = reverse("go-live", args=["roadshow", "fair-vision"])
    assert go_live in signed_in(presenter).get(room_page).content.decode()
    assert go_live not in signed_in(attendee_paris).get(room_page).content.decode()


def test_pages_allow_exactly_the_media_origin_for_media_and_fetches(attendee_client, live_pitch):
    policy = attendee_client.get(reverse("room", args=["roadshow", "fair-vision"]))["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["media-src"] == ["'self'", "blob:", settings.MEDIA_ORIGIN]
    assert directives["connect-src"] == ["'self'", settings.MEDIA_ORIGIN]
    assert directives["script-src"] == ["'self'"]


@pytest.mark.parametrize(
    "name,value",
    [
        ("MEDIA_ORIGIN", "https://media.example.org/hls"),
        ("MEDIA_ORIGIN", "media.example.org"),
        ("MEDIA_SECRET", "short"),
        ("MEDIA_SECRET", "a/secret/with/slashes/in/it"),
        ("STAGE_LATENCY", "fast"),
    ],
)
def test_malformed_media_settings_stop_start_up(name, value):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "summit.settings", name: value},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr and name in result.stderr


def test_organiser_sets_a_languages_embedded_player_in_the_admin(
    organiser, organiser_client, attendee_client, live_pitch
):
    organiser_client.get(INGEST)
    organiser.is_staff = organiser.is_superuser = True
    organiser.save()
    channel = Channel.objects.get(room=live_pitch.room, language="zh-hans")
    admin = signed_in(organiser)
    url = reverse("admin:stage_channel_change", args=[channel.pk])
    response = admin.post(
        url, {"embed_url": "https://player.bilibili.com/player.html?bvid=BV9"}, headers=csrf_headers(admin)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    chinese = next(s for s in attendee_client.get(STAGE).json()["streams"] if s["language"] == "zh-hans")
    # Labels come in the reader's language: Camille reads French.
    assert chinese == {
        "language": "zh-hans",
        "label": "Chinois simplifié",
        "kind": "embed",
        "live": True,
        "url": "https://player.bilibili.com/player.html?bvid=BV9",
    }


def test_a_starting_media_server_leaves_no_channel_marked_live(organiser_client, attendee_client, live_pitch, client):
    """A media server that died mid-stream never sent `on_publish_done`: scripts/media, starting it again,
    tells the platform nothing publishes."""
    organiser_client.get(INGEST)
    channel = Channel.objects.get(room=live_pitch.room, language="original")
    callback(client, "started", app="stage", name=channel.public_name)
    assert attendee_client.get(STAGE).json()["status"] == "live"
    call_command("media_config", "--write", "--starting", stdout=io.StringIO())
    assert attendee_client.get(STAGE).json()["status"] == "offline"


def test_the_schedule_links_a_finished_session_to_its_replay_and_never_to_a_hidden_one(summit, main_stage, client):
    from django.utils import timezone

    from stage.models import Recording
    from tests.conftest import make_session

    over = make_session(summit, main_stage, "Yesterday's keynote", timezone.now() - dt.timedelta(days=1), 60)
    replay = Recording.objects.create(
        room=main_stage,
        session=over,
        public_name="main-stage",
        started_at=over.starts_at,
        status=Recording.Status.READY,
    )
    page = reverse("replay", args=[summit.slug, replay.slug])
    assert page in client.get(reverse("schedule", args=[summit.slug])).content.decode()
    Recording.objects.filter(pk=replay.pk).update(is_hidden=True)
    over.save()  # a programme change drops the cached schedule
    assert page not in client.get(reverse("schedule", args=[summit.slug])).content.decode()


def test_the_image_runs_as_a_user_not_root_and_the_media_server_listens_on_loopback_unless_told():
    """The Docker image's last USER (so the media server's nginx and its workers) is not root; `make run`
    leaves MEDIA_LISTEN_ADDRESS unset, so the media server listens on 127.0.0.1; docker compose opens it."""
    root = settings.BASE_DIR
    users = [line.split()[1] for line in (root / "Dockerfile").read_text().splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert "MEDIA_LISTEN_ADDRESS" not in (root / "Makefile").read_text() + (root / "scripts" / "run").read_text()
    environment = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.MEDIA_LISTEN_ADDRESS)"],
        env={
            **{k: v for k, v in os.environ.items() if k != "MEDIA_LISTEN_ADDRESS"},
            "DEBUG": "1",
            "DJANGO_SETTINGS_MODULE": "summit.settings",
        },
        capture_output=True,
        text=True,
        cwd=root,
    )
    assert environment.stdout.strip() == "127.0.0.1", environment.stderr
    assert "MEDIA_LISTEN_ADDRESS: 0.0.0.0" in (root / "docker-compose.yml").read_text()


# --- the backstage: a preview before the session, on air when it starts or an organiser says so --------------


def _public_name(room, language="original"):
    return Channel.objects.get(room=room, language=language).public_name


def test_stream_before_the_session_is_a_preview_for_the_company_and_organisers_only(
    presenter, organiser, attendee_paris, coming_pitch, client
):
    ingest = signed_in(presenter).get(INGEST).json()
    assert ingest["status"] == "offline"
    name = _public_name(coming_pitch.room)
    assert callback(client, "started", app="stage", name=name).status_code == 200

    for person in (presenter, organiser):
        ingest = signed_in(person).get(INGEST).json()
        original = next(key for key in ingest["keys"] if key["language"] == "original")
        assert ingest["status"] == "backstage"
        assert original["live"] is True and original["on_air"] is False
        assert original["preview_url"] == f"{settings.MEDIA_ORIGIN}/hls/{name}/index.m3u8"
    stage = signed_in(attendee_paris).get(STAGE).json()
    assert stage["status"] == "offline"
    assert [stream["live"] for stream in stage["streams"]] == [False, False, False, False]
    assert name not in json.dumps(stage)  # attendees never get the preview's address
    page = signed_in(attendee_paris).get("/summits/roadshow/rooms/fair-vision/").content.decode()
    assert name not in page
    # Recorded for the session it waits for.
    assert Recording.objects.get(public_name=name).session == coming_pitch


async def test_preview_stays_off_attendees_sockets_and_reaches_them_when_the_session_starts(
    presenter, attendee_paris, coming_pitch, cookies
):

    key = (await orm(lambda: keys(signed_in(presenter).get(INGEST))))["original"]
    name = await orm(_public_name, coming_pitch.room)
    camille, state = await join(await cookies(attendee_paris), "/ws/summits/roadshow/rooms/fair-vision/")
    try:
        response = await acallback("started", app="stage", name=name)
        assert response.status_code == 200
        frame = await next_frame(camille)
        assert frame["type"] == "stage.state" and frame["status"] == "offline"
        assert name not in json.dumps(frame)

        # The media server's periodic check while the session has not started: nothing changes (had it
        # sent anything, the next frame below would be that one, not the stream on air).
        assert (await acallback("update", app="live", name=key)).status_code == 200
        assert await orm(lambda: Channel.objects.get(public_name=name).on_air) is False

        # The session starts: the next check puts the stream on air, and Camille's socket hears it.
        now = timezone.now()
        await orm(lambda: type(coming_pitch).objects.filter(pk=coming_pitch.pk).update(starts_at=now))
        assert (await acallback("update", app="live", name=key)).status_code == 200
        frame = await next_frame(camille)
        assert frame["type"] == "stage.state" and frame["status"] == "live"
        original = next(stream for stream in frame["streams"] if stream["language"] == "original")
        assert original["live"] is True and original["url"].endswith(f"/hls/{name}/index.m3u8")
    finally:
        await camille.disconnect()


async def test_organiser_puts_the_backstage_stream_on_air_before_the_session_and_no_one_else_may(
    presenter, organiser, attendee_paris, coming_pitch, cookies
):

    on_air = INGEST + "on-air/"

    def post_on_air(person):
        client = signed_in(person)
        return client.post(on_air, headers=csrf_headers(client))

    await orm(lambda: signed_in(organiser).get(INGEST))
    nothing = await orm(post_on_air, organiser)
    assert nothing.status_code == 409 and "detail" in nothing.json()  # nothing publishing yet
    name = await orm(_public_name, coming_pitch.room)
    assert (await acallback("started", app="stage", name=name)).status_code == 200
    camille, state = await join(await cookies(attendee_paris), "/ws/summits/roadshow/rooms/fair-vision/")
    try:
        assert state["stage"]["status"] == "offline"
        assert (await orm(post_on_air, presenter)).status_code == 403  # the company waits for its session
        assert (await orm(post_on_air, attendee_paris)).status_code == 403
        response = await orm(post_on_air, organiser)
        assert response.status_code == 200 and response.json()["status"] == "on_air"
        frame = await next_frame(camille)
        assert frame["type"] == "stage.state" and frame["status"] == "live"
        stage = await orm(lambda: signed_in(attendee_paris).get(STAGE).json())
        assert stage["status"] == "live"
    finally:
        await camille.disconnect()

    # The stream stops: the next one before the session is backstage again.
    assert (await acallback("stopped", app="stage", name=name)).status_code == 200
    assert (await acallback("started", app="stage", name=name)).status_code == 200
    assert (await orm(lambda: signed_in(attendee_paris).get(STAGE).json()))["status"] == "offline"


def test_stream_with_nothing_coming_in_the_room_goes_straight_on_air(
    organiser_client, attendee_client, pitch_room, client
):
    """An organiser's own stream in a free room needs no session to be seen."""
    organiser_client.get(INGEST)
    assert callback(client, "started", app="stage", name=_public_name(pitch_room)).status_code == 200
    assert attendee_client.get(STAGE).json()["status"] == "live"
    assert organiser_client.get(INGEST).json()["status"] == "on_air"


def test_go_live_page_says_which_key_is_whose_the_measured_delay_and_offers_put_on_air_to_organisers(
    presenter, organiser, coming_pitch, client, settings
):
    page_url = reverse("go-live", args=["roadshow", "fair-vision"])
    presenter_page = signed_in(presenter).get(page_url).content.decode()
    assert "Original: the language you speak." in presenter_page
    assert "Interpretation into French: for the interpreter into French" in presenter_page
    seconds = channels.MEASURED_LATENCY_SECONDS[settings.STAGE_LATENCY]
    assert f"Attendees see you about {seconds} seconds after you do" in presenter_page
    assert f"keyframe interval {settings.HLS_FRAGMENT_SECONDS} second" in presenter_page
    assert "Your session: Fair Vision pitch" in presenter_page
    assert 'id="put-on-air"' not in presenter_page
    assert "6 to 10" not in presenter_page
    assert presenter_page.count('id="go-live-labels"') == 1

    organiser_client = signed_in(organiser)
    assert 'id="put-on-air"' in organiser_client.get(page_url).content.decode()
    callback(client, "started", app="stage", name=_public_name(coming_pitch.room))
    response = organiser_client.post(page_url, {"action": "on-air"}, headers=csrf_headers(organiser_client))
    assert response.status_code == 302
    assert Channel.objects.get(room=coming_pitch.room, language="original").on_air is True
    presenter_client = signed_in(presenter)
    refused = presenter_client.post(page_url, {"action": "on-air"}, headers=csrf_headers(presenter_client))
    assert refused.status_code == 302  # the page says why; nothing changes for a non-organiser


def test_latency_profile_sets_the_fragment_and_playlist_lengths():
    for profile, fragment, playlist in (("low", "1", "4"), ("cdn", "2", "10")):
        code = (
            "from django.conf import settings as s; "
            "print(s.STAGE_LATENCY, s.HLS_FRAGMENT_SECONDS, s.HLS_PLAYLIST_SECONDS)"
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("HLS_")}
        out = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            env={**env, "STAGE_LATENCY": profile, "DJANGO_SETTINGS_MODULE": "summit.settings"},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.split()
        assert out == [profile, fragment, playlist]
