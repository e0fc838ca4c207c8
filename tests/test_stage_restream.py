"""Restream targets (organisers' relays to other platforms, never to a local or private address) and the
media server's configuration that carries them."""

import ipaddress
import socket
import subprocess

import pytest
from django.conf import settings

from stage.models import Channel, RestreamTarget
from stage.services import media, mediaconfig
from tests.conftest import csrf_headers, signed_in
from tests.stage_helpers import INGEST, RESTREAM, callback, keys

# The callbacks are async views whose database calls run on another thread: rows must be committed.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("stage_media_dir")]


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
