"""Stage latency, glass to glass, per STAGE_LATENCY profile: a clock burnt into the stream, read back in Chromium.

    python -m bench.stage_latency [--seconds 30]    # alone; `make bench` runs it as scenario "stage_latency"

For each profile an nginx with the RTMP module runs the stage's own HLS lines (mediaconfig.hls_directives,
the profile's fragment and playlist lengths); ffmpeg publishes a picture whose 24 blocks spell, in binary,
the wall clock (centiseconds) at the moment each frame is made (setpts=RTCTIME, then geq), encoded as the
Go live page recommends (x264 zerolatency, keyframe interval = the fragment length). Headless Chromium
plays the playlist with the vendored hls.js through static/js/stage-player.js, with the profile's live-sync
settings (data-latency on the video, as the room page sets it), draws each shown frame on a canvas,
decodes the clock and subtracts it from its own: that is what a viewer sees, encoder and player included.
Same machine, same clock; the HLS origin is local, so a CDN's or the Internet's delay comes on top.
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
NGINX = "/usr/sbin/nginx"
FPS = 25
WIDTH, HEIGHT, COLUMNS, ROWS = 320, 240, 6, 4  # 24 blocks of 53×60 pixels: survive x264 at any bitrate
# The settings (summit/settings.py) and player (static/js/stage-player.js) profiles: fragment, playlist.
PROFILES = {"low": (1, 4), "cdn": (2, 10)}
WARM_UP_S = 8  # the player's start (first segments, catching up to its live position) is not latency
BASE_EPOCH = int(time.time()) // 3600 * 3600  # 2^24 centiseconds from here last 46 hours
MARK_START = "<!-- stage-latency: written by bench/stage_latency.py -->"
MARK_END = "<!-- /stage-latency -->"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def nginx_config(folder, rtmp_port, http_port, fragment, playlist):
    from stage.services.mediaconfig import RTMP_MODULE, hls_directives

    hls = "\n".join(hls_directives(folder, fragment, playlist))
    temp = "\n".join(f"  {kind}_temp_path {folder / 'tmp' / kind};" for kind in ("client_body", "proxy", "fastcgi"))
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}daemon off;
worker_processes 1;
pid {folder / "nginx.pid"};
error_log stderr warn;
load_module {RTMP_MODULE};
events {{ worker_connections 64; }}
rtmp {{ server {{ listen 127.0.0.1:{rtmp_port}; chunk_size 4096;
    application stage {{ live on;
{hls}
    }} }} }}
http {{ access_log off;
{temp}
  types {{ application/vnd.apple.mpegurl m3u8; video/mp2t ts; text/html html; text/javascript js mjs; }}
  server {{ listen 127.0.0.1:{http_port};
    location /hls/ {{ root {folder}; add_header Cache-Control "no-cache" always; }}
    location / {{ root {folder / "page"}; }}
  }} }}
"""


def clock_filter(base_epoch):
    """Each frame shows the wall clock when it was made, in centiseconds since `base_epoch`, as 24 bits."""
    # One pixel per bit (geq is slow per pixel), then scaled up to blocks without blending.
    lum = f"if(mod(floor(floor(T*100)/pow(2,X+{COLUMNS}*Y)),2),235,16)"
    return (
        f"settb=1/1000000,setpts=RTCTIME-{base_epoch * 1_000_000},"
        f"geq=lum='{lum}':cb=128:cr=128,scale={WIDTH}:{HEIGHT}:flags=neighbor,setpts=N/({FPS}*TB)"
    )


PAGE = """<!doctype html><meta charset="utf-8"><title>stage latency</title>
<video id="v" muted autoplay playsinline data-latency="%(profile)s" width="%(w)d" height="%(h)d"></video>
<canvas id="c" width="%(w)d" height="%(h)d"></canvas>
<script type="module">
import { Player } from "./js/stage-player.js";
const video = document.getElementById("v");
const context = document.getElementById("c").getContext("2d", { willReadFrequently: true });
const player = new Player(video);
window.samples = []; window.stalls = 0;
video.addEventListener("waiting", () => { window.stalls += 1; });
function read() {
  if (video.readyState >= 2 && video.videoWidth) {
    context.drawImage(video, 0, 0, %(w)d, %(h)d);
    const now = Date.now();
    let value = 0;
    for (let bit = %(bits)d - 1; bit >= 0; bit--) {
      const x = Math.floor(((bit %% %(cols)d) + 0.5) * %(w)d / %(cols)d);
      const y = Math.floor((Math.floor(bit / %(cols)d) + 0.5) * %(h)d / %(rows)d);
      value = value * 2 + (context.getImageData(x, y, 1, 1).data[0] > 128 ? 1 : 0);
    }
    window.samples.push({ now, shown: %(base)d * 1000 + value * 10, hls: player.hls?.latency ?? null });
  }
  if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(read); else setTimeout(read, 40);
}
player.play("%(url)s", { live: true }).then(read);
</script>
"""


def make_page(folder, profile, url, base_epoch):
    page = folder / "page"
    (page / "js").mkdir(parents=True)
    shutil.copy(BASE_DIR / "static" / "js" / "stage-player.js", page / "js" / "stage-player.js")
    shutil.copytree(BASE_DIR / "static" / "vendor" / "hls.js", page / "vendor" / "hls.js")
    values = {"profile": profile, "url": url, "base": base_epoch, "w": WIDTH, "h": HEIGHT}
    values |= {"cols": COLUMNS, "rows": ROWS, "bits": COLUMNS * ROWS}
    (page / "index.html").write_text(PAGE % values)


def wait_listening(port, process, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nginx did not listen on {port}")


def publish(url, fragment, log):
    return subprocess.Popen(
        [
            "ffmpeg", "-nostdin", "-v", "error", "-re",
            "-f", "lavfi", "-i", f"color=c=black:size={COLUMNS}x{ROWS}:rate={FPS}",
            "-vf", clock_filter(BASE_EPOCH),
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
            "-g", str(fragment * FPS), "-pix_fmt", "yuv420p", "-f", "flv", url,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(profile, seconds, warm_up_s=WARM_UP_S):
    """One profile: its nginx, the clock publish, Chromium watching; the delays it read back."""
    from playwright.sync_api import sync_playwright

    fragment, playlist = PROFILES[profile]
    folder = Path(tempfile.mkdtemp(prefix=f"stage-latency-{profile}-"))
    processes = []
    try:
        for sub in ("hls", "tmp"):
            (folder / sub).mkdir()
        rtmp_port, http_port = free_port(), free_port()
        url = f"http://127.0.0.1:{http_port}/hls/clock/index.m3u8"
        (folder / "nginx.conf").write_text(nginx_config(folder, rtmp_port, http_port, fragment, playlist))
        make_page(folder, profile, url, BASE_EPOCH)
        log = open(folder / "log.txt", "w")  # noqa: SIM115  (closed with the folder below)
        nginx = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf")], stdout=log, stderr=log)
        processes.append(nginx)
        wait_listening(rtmp_port, nginx)
        processes.append(publish(f"rtmp://127.0.0.1:{rtmp_port}/stage/clock", fragment, log))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox", "--disable-gpu"]
            )
            try:
                page = browser.new_page()
                started = time.monotonic()
                page.goto(f"http://127.0.0.1:{http_port}/index.html")
                page.wait_for_function("() => window.samples.length > 0", timeout=60_000)
                first_frame_s = time.monotonic() - started
                page.wait_for_timeout(warm_up_s * 1000)
                page.evaluate("() => { window.samples = []; window.stalls = 0; }")
                page.wait_for_timeout(seconds * 1000)
                samples, stalls = page.evaluate("() => [window.samples, window.stalls]")
            finally:
                browser.close()
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(folder, ignore_errors=True)
    # A frame decoded wrongly (a block blurred mid-change) gives a wild clock: keep the plausible ones.
    delays = [(s["now"] - s["shown"]) / 1000 for s in samples if 0 < s["now"] - s["shown"] < 60_000]
    behind_edge = [s["hls"] for s in samples if s["hls"] is not None]
    return {
        "profile": profile,
        "hls_fragment_s": fragment,
        "hls_playlist_s": playlist,
        "keyframe_interval_s": fragment,
        "frames": len(samples),
        "frames_decoded": len(delays),
        "first_frame_s": round(first_frame_s, 1),
        "stalls": stalls,
        "glass_to_glass_s": {
            "median": round(statistics.median(delays), 2) if delays else None,
            "p90": round(percentile(delays, 0.9), 2) if delays else None,
            "max": round(max(delays), 2) if delays else None,
        },
        "hls_js_latency_median_s": round(statistics.median(behind_edge), 2) if behind_edge else None,
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }


def run(seconds=30, warm_up_s=WARM_UP_S):
    return {"seconds": seconds, "warm_up_s": warm_up_s, "profiles": [measure(p, seconds, warm_up_s) for p in PROFILES]}


def markdown(result):
    rows = [
        "| profile | fragment / playlist | keyframe | glass to glass: median | p90 | max | hls.js `latency` | "
        "stalls | first frame | load |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in result["profiles"]:
        g = r["glass_to_glass_s"]
        rows.append(
            f"| `{r['profile']}` | {r['hls_fragment_s']} s / {r['hls_playlist_s']} s | {r['keyframe_interval_s']} s | "
            f"**{g['median']} s** | {g['p90']} s | {g['max']} s | {r['hls_js_latency_median_s']} s | {r['stalls']} | "
            f"{r['first_frame_s']} s | {' '.join(map(str, r['load_average']))} |"
        )
    return "\n".join(
        [
            MARK_START,
            f"Stage latency, measured by `bench/stage_latency.py` on "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {result['seconds']} s of frames per profile "
            f"after {result['warm_up_s']} s of warm-up, a clock burnt "
            "into each frame read back in headless Chromium (hls.js, the stage's player settings); local origin, "
            "no CDN. *stalls*: the player waiting for data; *load*: the machine's load average after the profile.",
            "",
            *rows,
            MARK_END,
        ]
    )


def write_docs(result, paths):
    """Replace the marked block in each document (appended at the end the first time)."""
    block = markdown(result)
    for path in paths:
        text = path.read_text()
        if MARK_START in text:
            before, rest = text.split(MARK_START, 1)
            text = before + block + rest.split(MARK_END, 1)[1]
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
        path.write_text(text)


def scenario(bench):
    """`make bench`'s scenario: a short run for the smoke sizes; the documents only from a full one."""
    smoke = bench.sizes["ramp_duration"] < 5
    result = run(seconds=3, warm_up_s=2) if smoke else run()
    if not smoke:
        write_docs(result, [BASE_DIR / "docs" / "benchmarks.md", BASE_DIR / "docs" / "stage.md"])
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30, help="frames read per profile after the warm-up")
    parser.add_argument("--docs", action="store_true", help="write the table into docs/benchmarks.md and docs/stage.md")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "summit.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    result = run(args.seconds)
    print(json.dumps(result, indent=2))
    if args.docs:
        write_docs(result, [BASE_DIR / "docs" / "benchmarks.md", BASE_DIR / "docs" / "stage.md"])


if __name__ == "__main__":
    main()
