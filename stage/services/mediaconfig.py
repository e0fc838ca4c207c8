"""The media server's nginx configuration, rendered from the settings, the rooms' channels and replays,
and their restream targets.

`scripts/media` writes it with `manage.py media_config --write` and starts nginx from it; a change
writes it again (`write_config`, or `refresh_config` where the media server may not be set up here)
and the script reloads nginx when the file changes (after `nginx -t`). nginx-rtmp's `push` is static
configuration, so a room with targets gets an internal application of its own, which pushes to the
stage application (HLS, recording) and to one application per target, whose `on_publish` re-checks
the target's address before ffmpeg relays the stream there (RTMP or RTMPS); `on_publish` relays that
room's original stream there. Every internal publish carries a relay token (media.publish_token).

HTTP serves a channel's playlist or a replay only when this configuration names it: plainly when its
room is public, under a signed, expiring grant (nginx `secure_link`) when it is private; a hidden
replay is not named, so it is not served at all. The callbacks go through a Unix socket that only
nginx's workers can open, where the secret is added as a header.
"""

import grp
import os
import pwd
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

from stage.models import ORIGINAL, Channel, Recording, RestreamTarget
from stage.services.media import (
    INGEST_APP,
    SECRET_HEADER,
    STAGE_APP,
    grant_secret,
    publish_token,
    relay_app,
    restream_app,
)

RTMP_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
CONFIG_NAME = "nginx.conf"
# Where nginx's workers run: the callbacks' socket is named relative to it (an absolute path would be
# the HTTP Host header nginx-rtmp sends, which nginx refuses).
RUN_DIR = "run"
CALLBACK_SOCKET = "callbacks.sock"
# How often nginx-rtmp re-asks whether a publishing key is still valid (rotation cuts it off).
UPDATE_EVERY = "10s"


def media_dir():
    return Path(settings.MEDIA_DIR).resolve()


def config_path():
    return media_dir() / CONFIG_NAME


def callback_socket():
    return media_dir() / RUN_DIR / CALLBACK_SOCKET


def _callback(name):
    return f"http://unix:{CALLBACK_SOCKET}:{reverse(f'stage-media-{name}')}"


def _worker_user(folder):
    """Started as root, nginx's workers would run as nobody and could not write the HLS folders: run them
    as the media folder's owner instead. Started as anybody else (the Docker image's own user), nginx
    keeps that user (no directive)."""
    if os.geteuid() != 0:
        return ""
    owner = pwd.getpwuid(folder.stat().st_uid)
    return f"user {owner.pw_name} {grp.getgrgid(owner.pw_gid).gr_name};\n"


def _confined(name, body, *, play_locally=False):
    lines = [
        f"    application {name} {{",
        "      live on;",
        "      # Only the platform's own relays publish here (from 127.0.0.1, with a relay token).",
        "      allow publish 127.0.0.1;",
        "      deny publish all;",
        *(["      allow play 127.0.0.1;"] if play_locally else []),
        "      deny play all;",
        *body,
        "    }",
    ]
    return "\n".join(lines)


def _local(app, name):
    """The address of an internal application's stream, with the relay token that lets it publish there."""
    return f"rtmp://127.0.0.1:{settings.RTMP_PORT}/{app}/{name}?token={publish_token(app, name)}"


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


def _relay_app(room_id, public_name, targets):
    """A room with restream targets: its original goes to the stage as any other, and to each target's app."""
    return _confined(
        relay_app(room_id),
        [
            f"      on_publish {_callback('relay')};",
            f"      push {_local(STAGE_APP, public_name)};",
            *[f"      push {_local(restream_app(target.pk), public_name)};" for target in targets],
        ],
    )


def _restream_app(target, ffmpeg):
    """One target: `on_publish` re-checks its address, then ffmpeg copies the stream there (RTMP or RTMPS;
    nginx-rtmp pushes plain RTMP only, and ffmpeg's output goes to /dev/null, not to a log)."""
    app = restream_app(target.pk)
    source = f"rtmp://127.0.0.1:{settings.RTMP_PORT}/{app}/$name"
    return _confined(
        app,
        [
            f"      on_publish {_callback('restream')};",
            f"      exec_push {ffmpeg} -nostdin -v error -i {source} -c copy -f flv {_push_url(target)};",
        ],
        play_locally=True,
    )


def _push_url(target):
    return f"{target.url.rstrip('/')}/{target.stream_key}" if target.stream_key else target.url


def _served_names():
    """`map` lines: each channel's HLS and each visible replay, `public` or `granted` by its room."""
    access = {True: "granted", False: "public"}
    lines = [
        f'    "hls/{name}" {access[private]};'
        for name, private in Channel.objects.order_by("public_name").values_list("public_name", "room__is_private")
    ]
    replays = Recording.objects.filter(status=Recording.Status.READY, is_hidden=False).order_by("slug")
    lines += [
        f'    "replays/{slug}" {access[private]};' for slug, private in replays.values_list("slug", "room__is_private")
    ]
    return "\n".join(lines)


def _relays():
    targets = {}
    for target in RestreamTarget.objects.order_by("room_id", "pk"):
        targets.setdefault(target.room_id, []).append(target)
    originals = dict(
        Channel.objects.filter(room_id__in=targets, language=ORIGINAL).values_list("room_id", "public_name")
    )
    ffmpeg = shutil.which("ffmpeg") or "/usr/bin/ffmpeg"  # nginx's workers have no PATH
    apps = []
    for room_id, room_targets in targets.items():
        if room_id in originals:  # no original channel yet: nothing to relay
            apps.append(_relay_app(room_id, originals[room_id], room_targets))
            apps += [_restream_app(target, ffmpeg) for target in room_targets]
    return apps


def _platform_host():
    return urlsplit(settings.MEDIA_PLATFORM_URL).netloc


def render_config():
    """The whole nginx.conf, as text. Restream URLs and keys were checked to hold no nginx syntax."""
    folder = media_dir()
    folder.mkdir(parents=True, exist_ok=True)
    internal_apps = "\n".join([_stage_app(folder), *_relays()])
    listen = settings.MEDIA_LISTEN_ADDRESS
    # A file nginx serves: a playlist or a segment, of a live channel (hls) or a replay (replays).
    file = (
        r"(?<media_kind>hls|replays)/(?<media_name>[A-Za-z0-9_-]+)"
        r"/(?<media_file>[A-Za-z0-9_-]+\.(?<media_type>m3u8|ts))"
    )
    return f"""# Rendered by `manage.py media_config` from the platform's settings; edits here are overwritten.
{_worker_user(folder)}worker_processes 1;
daemon off;
pid {folder / "nginx.pid"};
error_log stderr warn;
working_directory {folder / RUN_DIR};
load_module {RTMP_MODULE};

events {{
  worker_connections 1024;
}}

rtmp {{
  server {{
    listen {listen}:{settings.RTMP_PORT};
    chunk_size 4096;
    notify_method post;

    # Presenters publish here with their stream key; the platform answers where the stream goes.
    application {INGEST_APP} {{
      live on;
      deny play all;
      on_publish {_callback("publish")};
      on_update {_callback("update")};
      notify_update_timeout {UPDATE_EVERY};
      # The relayed stream is named after the 302, so nginx's "notify: push" line never shows the key.
      notify_relay_redirect on;
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

  # What may be served: "public" plainly, "granted" only under a signed grant, anything else never.
  map "$media_kind/$media_name" $media_access {{
    default "";
{_served_names()}
  }}
  # Live playlists change every fragment; a segment never changes once written, so a CDN may keep it.
  map "$media_kind/$media_type" $media_cache {{
    "hls/m3u8" "no-cache";
    "hls/ts" "public, max-age=300";
    default "public, max-age=3600";
  }}

  # The media server's callbacks reach the platform through here, with the secret as a header.
  server {{
    listen unix:{callback_socket()};
    location /stage/media/ {{
      proxy_pass {settings.MEDIA_PLATFORM_URL.rstrip("/")};
      proxy_set_header Host {_platform_host()};
      proxy_set_header {SECRET_HEADER} "{settings.MEDIA_SECRET}";
      proxy_redirect off;
    }}
    location / {{
      return 404;
    }}
  }}

  server {{
    listen {listen}:{settings.MEDIA_HTTP_PORT};
    # "always": a playlist asked for before its first segment exists is a 404 the player may read.
    add_header Cache-Control $media_cache always;
    add_header Access-Control-Allow-Origin "*" always;
    location ~ ^/{file}$ {{
      if ($media_access = granted) {{
        return 403;
      }}
      if ($media_access != public) {{
        return 404;
      }}
      root {folder};
    }}
    # A private room's: /grant/<expires>/<token>/… covers the playlist and every segment beside it.
    location ~ ^/grant/(?<grant_expires>[0-9]+)/(?<grant_token>[A-Za-z0-9_-]+)/{file}$ {{
      if ($media_access = "") {{
        return 404;
      }}
      secure_link $grant_token,$grant_expires;
      secure_link_md5 "$grant_expires/$media_kind/$media_name {grant_secret()}";
      if ($secure_link != "1") {{
        return 403;
      }}
      alias {folder}/$media_kind/$media_name/$media_file;
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
    for sub in ("hls", "recordings", "replays", "tmp", RUN_DIR):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / RUN_DIR).chmod(0o700)  # only nginx's user (the folder's owner) reaches the callbacks' socket
    text = render_config()
    path = config_path()
    if path.exists() and path.read_text() == text:
        return False
    scratch = path.with_suffix(".conf.new")
    scratch.write_text(text)
    scratch.chmod(0o600)  # it holds the callbacks' secret and restream keys
    os.replace(scratch, path)
    return True


def refresh_config():
    """Write the configuration again if the media server has one here: channels, rooms or replays changed."""
    if config_path().exists():
        write_config()
