"""The stage's pages and settings: the go-live page, the room's link to it, the media origin in the pages'
policy, malformed media settings and the latency profiles, the admin's embedded players, a restarting
media server, the image."""

import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from stage.models import Channel
from tests.conftest import csrf_headers, signed_in
from tests.stage_helpers import INGEST, STAGE, callback

# The callbacks are async views whose database calls run on another thread: rows must be committed.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("stage_media_dir")]


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
