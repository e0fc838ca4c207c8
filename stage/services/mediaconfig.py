"""The media server's nginx configuration, rendered from the settings and the rooms' restream targets.

`scripts/media` writes it with `manage.py media_config --write` and starts nginx from it; a change of
restream targets writes it again and the script reloads nginx when the file changes. nginx-rtmp's
`push` is static configuration, so a room with targets gets an internal application of its own, which
pushes to the stage application (HLS, recording) and to each target, and `on_publish` relays that
room's original stream there.
"""

import os
import pwd
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from stage.models import RestreamTarget
from stage.services.media import INGEST_APP, STAGE_APP, relay_app

RTMP_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
CONFIG_NAME = "nginx.conf"
# How often nginx-rtmp re-asks whether a publishing key is still valid (rotation cuts it off).
UPDATE_EVERY = "10s"


def media_dir():
    return Path(settings.MEDIA_DIR).resolve()


def config_path():
    return media_dir() / CONFIG_NAME


def _callback(name):
    return settings.MEDIA_PLATFORM_URL + reverse(f"stage-media-{name}", args=[settings.MEDIA_SECRET])


def _worker_user(folder):
    """Started as root, nginx's workers would run as nobody and could not write the HLS folders: run them
    as the media folder's owner instead. Started as anybody else, nginx keeps that user (no directive)."""
    if os.geteuid() != 0:
        return ""
    owner = pwd.getpwuid(folder.stat().st_uid).pw_name
    return f"user {owner};\n"


def _confined(name, body):
    lines = [
        f"    application {name} {{",
        "      live on;",
        "      # Only the platform's own relays publish here; nobody plays RTMP from here.",
        "      allow publish 127.0.0.1;",
        "      deny publish all;",
        "      allow play 127.0.0.1;",
        "      deny play all;",
        *body,
        "    }",
    ]
    return "\n".join(lines)


def hls_directives(folder, fragment_seconds, playlist_seconds):
    """The stage's HLS lines: the latency profile's fragment and playlist lengths (bench/stage_latency.py
    measures exactly these). The encoder's keyframe interval must divide the fragment."""
    return [
        "      hls on;",
        f"      hls_path {folder / 'hls'};",
        "      hls_nested on;",
        f"      hls_fragment {fragment_seconds}s;",
        f"      hls_playlist_length {playlist_seconds}s;",
        "      hls_cleanup on;",
    ]


def _stage_app(folder):
    """HLS and recordings under the public name, and the callbacks that say live, offline, recorded."""
    return _confined(
        STAGE_APP,
        [
            *hls_directives(folder, settings.HLS_FRAGMENT_SECONDS, settings.HLS_PLAYLIST_SECONDS),
            "      record all;",
            f"      record_path {folder / 'recordings'};",
            "      record_unique on;",
            f"      on_publish {_callback('started')};",
            f"      on_publish_done {_callback('stopped')};",
            f"      on_record_done {_callback('recorded')};",
        ],
    )


def _relay_app(room_id, pushes):
    """A room with restream targets: its original goes to the stage as any other, and to each target."""
    return _confined(
        relay_app(room_id),
        [
            f"      push rtmp://127.0.0.1:{settings.RTMP_PORT}/{STAGE_APP};",
            *[f"      push {push};" for push in pushes],
        ],
    )


def _push_url(target):
    return f"{target.url.rstrip('/')}/{target.stream_key}" if target.stream_key else target.url


def render_config():
    """The whole nginx.conf, as text. Restream URLs and keys were checked to hold no nginx syntax."""
    folder = media_dir()
    folder.mkdir(parents=True, exist_ok=True)
    relays = {}
    for target in RestreamTarget.objects.order_by("room_id", "pk"):
        relays.setdefault(target.room_id, []).append(_push_url(target))
    internal = [_stage_app(folder)]
    internal += [_relay_app(room_id, pushes) for room_id, pushes in relays.items()]
    internal_apps = "\n".join(internal)
    return f"""# Rendered by `manage.py media_config` from the platform's settings; edits here are overwritten.
{_worker_user(folder)}worker_processes 1;
daemon off;
pid {folder / "nginx.pid"};
error_log stderr warn;
load_module {RTMP_MODULE};

events {{
  worker_connections 1024;
}}

rtmp {{
  server {{
    listen {settings.RTMP_PORT};
    chunk_size 4096;
    notify_method post;

    # Presenters publish here with their stream key; the platform answers where the stream goes.
    application {INGEST_APP} {{
      live on;
      deny play all;
      on_publish {_callback("publish")};
      on_update {_callback("update")};
      notify_update_timeout {UPDATE_EVERY};
    }}

{internal_apps}
  }}
}}

http {{
  access_log off;
  sendfile on;
  client_body_temp_path {folder / "tmp" / "body"};
  proxy_temp_path {folder / "tmp" / "proxy"};
  fastcgi_temp_path {folder / "tmp" / "fastcgi"};
  uwsgi_temp_path {folder / "tmp" / "uwsgi"};
  scgi_temp_path {folder / "tmp" / "scgi"};
  types {{
    application/vnd.apple.mpegurl m3u8;
    video/mp2t ts;
  }}
  default_type application/octet-stream;

  server {{
    listen {settings.MEDIA_HTTP_PORT};
    # Live playlists change every fragment; segments and replays never change once written.
    # Playlists change every fragment; a segment never changes once written, so a CDN may keep it.
    # "always": a playlist asked for before its first segment exists is a 404 the player may read.
    location /hls/ {{
      root {folder};
      add_header Cache-Control "no-cache" always;
      add_header Access-Control-Allow-Origin "*" always;
      location ~ \\.ts$ {{
        add_header Cache-Control "public, max-age=300" always;
        add_header Access-Control-Allow-Origin "*" always;
      }}
    }}
    location /replays/ {{
      root {folder};
      add_header Cache-Control "public, max-age=3600" always;
      add_header Access-Control-Allow-Origin "*" always;
    }}
    location / {{
      return 404;
    }}
  }}
}}
"""


def write_config():
    """Write the configuration when it changed (scripts/media reloads nginx on a change); True if written."""
    folder = media_dir()
    for sub in ("hls", "recordings", "replays", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    text = render_config()
    path = config_path()
    if path.exists() and path.read_text() == text:
        return False
    scratch = path.with_suffix(".conf.new")
    scratch.write_text(text)
    scratch.chmod(0o600)  # it holds the callbacks' secret and restream keys
    os.replace(scratch, path)
    return True
