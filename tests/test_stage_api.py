"""The stage's rules through its API and the media server's callbacks, in process (both passes): who may go
live, what the callbacks accept, and what attendees see.

The real media server, ffmpeg pushes and browsers are in test_stage_live.py; here the callbacks are
called as nginx-rtmp calls them (form POSTs). Replays, restream targets, pages and the backstage have
files of their own (test_stage_*.py); the shared callers are in tests/stage_helpers.py.
"""

import datetime as dt
import json

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from stage.models import Channel, Recording
from stage.services import channels, media
from tests.conftest import csrf_headers, make_session, signed_in
from tests.live import join, next_frame, orm
from tests.stage_helpers import INGEST, STAGE, callback, keys

# The callbacks are async views whose database calls run on another thread: rows must be committed.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("stage_media_dir")]


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
