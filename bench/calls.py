"""Meeting calls: from pressing "Join" to the first remote picture, direct and relayed, and coturn's cost per call.

    python -m bench.run --only calls    # `make bench`'s scenario "calls"

A real coturn (the production command line of calls/turn.py, plus loopback peers: the browsers share
this machine) on a free port, one Daphne serving the platform with TURN_HOST/TURN_PORT pointing at it,
and headless Debian Chromium with its fake camera and microphone. Two people of an accepted meeting
open its room in fresh browser contexts; the first presses "Join the call", then the second, and each
page records when its first remote frame is decoded (the remote `<video>` gets its size). `calls`
calls are made per route: direct (ICE as the page does it) and relayed (`?ice=relay`, every packet
through coturn). Then one relayed call, once its bitrate has ramped up (`calls_warm_s`), is held for
`calls_hold_s` while psutil samples the turnserver process: its CPU and resident memory against the
idle server, and the bitrate the pages receive (the camera as the page asks for it: 640×360 at 15
frames/s, video capped at 500 kbit/s per connection).
"""

import contextlib
import os
import secrets
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import psutil

from bench.processes import daphnes, free_port, stop_group

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]
FIRST_FRAME_TIMEOUT_MS = 60_000
SLUG = "bench-calls"

# In the page: press Join, then resolve with the ms until a remote <video> shows a decoded frame.
JOIN_AND_WAIT = """timeout => new Promise((resolve, reject) => {
  const started = Date.now();
  document.querySelector("[data-call-join]").click();
  const timer = setInterval(() => {
    const video = document.querySelector("video[data-call-remote]");
    if (video && video.videoWidth > 0) { clearInterval(timer); resolve({ started, ms: Date.now() - started }); }
    else if (Date.now() - started > timeout) { clearInterval(timer); reject(new Error("no remote frame")); }
  }, 5);
})"""
# In the page already in the call: note when the newcomer's first frame is decoded.
WATCH_FIRST_FRAME = """() => { window.firstFrameAt = null;
  const timer = setInterval(() => {
    const video = document.querySelector("video[data-call-remote]");
    if (video && video.videoWidth > 0) { window.firstFrameAt = Date.now(); clearInterval(timer); }
  }, 5);
}"""
# Counts what comes in through every RTCPeerConnection the page makes (installed before it loads).
COUNT_BYTES = """
const connections = [];
const Original = window.RTCPeerConnection;
window.RTCPeerConnection = function (...args) { const pc = new Original(...args); connections.push(pc); return pc; };
window.RTCPeerConnection.prototype = Original.prototype;
window.callBytes = async () => {
  let received = 0, sent = 0;
  for (const pc of connections) {
    if (pc.connectionState === "closed") continue;
    (await pc.getStats()).forEach((entry) => {
      if (entry.type === "inbound-rtp") received += entry.bytesReceived ?? 0;
      if (entry.type === "outbound-rtp") sent += entry.bytesSent ?? 0;
    });
  }
  return { received, sent, at: Date.now() };
};
"""


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(values):
    if not values:
        return None
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values)),
        "p95_ms": round(percentile(values, 0.95)),
        "max_ms": round(max(values)),
    }


@contextlib.contextmanager
def turnserver(folder):
    """coturn on a free port of 127.0.0.1 with a relay range of its own (as the browser tests start it)."""
    from calls.turn import start_loopback_turnserver, turnserver_path

    if not turnserver_path():
        raise RuntimeError("coturn is missing (make system-packages)")
    port, secret = free_port(), secrets.token_urlsafe(24)
    process = start_loopback_turnserver(
        folder, port=port, secret=secret, realm="bench.test", allow_loopback=True, relay_size=200
    )
    try:
        yield process, port, secret
    finally:
        stop_group(process)


def make_meeting(people):
    """An accepted meeting of the first two bench attendees, on a summit of its own a month ahead (Monday 10:00 UTC)."""
    import datetime as dt

    from events.models import Registration, Summit
    from partnering import services

    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(days=28)
    ahead += dt.timedelta(days=-ahead.weekday() % 7)  # a Monday: inside everyone's default office weekdays
    starts = ahead.replace(hour=10, minute=0, second=0, microsecond=0)
    Summit.objects.filter(slug=SLUG).delete()
    summit = Summit.objects.create(
        slug=SLUG, name="Bench calls", timezone="UTC", languages=["en"], starts_on=starts.date(), ends_on=starts.date()
    )
    from django.contrib.auth import get_user_model

    users = [get_user_model().objects.get(pk=person["id"]) for person in people]
    for user in users:
        Registration.objects.create(summit=summit, user=user)
    services.do_create_missing_profiles(summit)
    card = services.my_profile(users[1], summit)
    meeting = services.do_request_meeting(
        users[0], summit, services.MeetingRequest(card.pk, starts, 30, outside_hours_ok=True)
    )
    services.do_accept(users[1], meeting)
    return f"/summits/{SLUG}/rooms/meeting-{meeting.pk}/"


class Call:
    """Two people's pages in one meeting room, in fresh browser contexts."""

    def __init__(self, browser, base, path, sessions, query):
        self.contexts, self.pages = [], []
        for sessionid in sessions:
            context = browser.new_context(base_url=base, permissions=["camera", "microphone"])
            context.add_cookies([{"name": "sessionid", "value": sessionid, "url": base}])
            context.add_init_script(COUNT_BYTES)
            page = context.new_page()
            page.goto(path + query)
            self.contexts.append(context)
            self.pages.append(page)
        for page in self.pages:
            page.wait_for_selector("#room[data-connection=live]", timeout=30_000)
            page.wait_for_selector("#call[data-media=camera]", timeout=30_000)

    def join(self):
        """The first joins and waits; the second presses Join: (ms for the joiner, ms for the one waiting)."""
        waiting, joiner = self.pages
        waiting.locator("[data-call-join]").click()
        waiting.wait_for_selector("#call[data-joined=yes]")
        waiting.evaluate(WATCH_FIRST_FRAME)
        joined = joiner.evaluate(JOIN_AND_WAIT, FIRST_FRAME_TIMEOUT_MS)
        waiting.wait_for_function("() => window.firstFrameAt !== null", timeout=FIRST_FRAME_TIMEOUT_MS)
        seen_at = waiting.evaluate("() => window.firstFrameAt")
        return joined["ms"], seen_at - joined["started"]

    def route(self):
        """The candidate type of the joiner's connection, once the connection panel has read it."""
        selector = "video[data-call-remote][data-candidate-type]:not([data-candidate-type=''])"
        self.pages[1].wait_for_selector(selector, timeout=15_000)
        return self.pages[1].locator(selector).first.get_attribute("data-candidate-type")

    def received(self):
        return [page.evaluate("() => window.callBytes()") for page in self.pages]

    def close(self):
        for page in self.pages:
            with contextlib.suppress(Exception):
                page.locator("[data-call-leave]").click(timeout=2000)
        for context in self.contexts:
            context.close()


def camera_file(folder):
    """A moving, grainy 640×360 picture at 15 frames/s for Chromium's fake camera, or None without ffmpeg.

    Chromium's own fake picture (a still pattern with a small moving clock) compresses to a fraction of
    the page's cap; a camera's picture of a person does not. The grain keeps the encoder at its cap.
    """
    import shutil

    if not shutil.which("ffmpeg"):
        return None
    path = folder / "camera.y4m"
    source = "testsrc2=size=640x360:rate=15,noise=alls=12:allf=t"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source, "-t", "4", "-pix_fmt", "yuv420p"]
        + [str(path)],
        check=True,
        timeout=120,
    )
    return path


def cpu_seconds(process):
    times = process.cpu_times()
    return times.user + times.system


def hold(call, turn, seconds):
    """coturn's CPU, memory and the pages' bitrates over `seconds` of one relayed call."""
    before_bytes = call.received()
    rss = [turn.memory_info().rss]
    cpu_before, started = cpu_seconds(turn), time.monotonic()
    load_before = os.getloadavg()
    deadline = started + seconds
    while time.monotonic() < deadline:
        time.sleep(0.5)
        rss.append(turn.memory_info().rss)
    elapsed = time.monotonic() - started
    cpu = cpu_seconds(turn) - cpu_before
    after_bytes = call.received()
    directions = []
    for before, after in zip(before_bytes, after_bytes, strict=True):
        span = (after["at"] - before["at"]) / 1000
        directions.append(round((after["received"] - before["received"]) * 8 / span / 1000))
    return {
        "seconds": round(elapsed, 1),
        "turn_cpu_percent_of_a_core": round(100 * cpu / elapsed, 2),
        "turn_rss_peak_mib": round(max(rss) / 2**20, 1),
        "received_kbps_per_person": directions,
        "load_average_before": [round(v, 2) for v in load_before],
        "load_average_after": [round(v, 2) for v in os.getloadavg()],
    }


def scenario(bench):
    """`make bench`'s scenario "calls"."""
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError(f"{CHROMIUM} is missing (make system-packages)")
    sizes = bench.sizes
    people = bench.attendees[:2]
    path = make_meeting(people)  # the ORM before Playwright's loop starts in this thread
    sessions = [person["sessionid"] for person in people]
    folder = Path(tempfile.mkdtemp(prefix="bench-calls-", dir=bench.run_dir))
    result = {
        "calls_per_route": sizes["calls"],
        "warm_s": sizes["calls_warm_s"],
        "load_average_before": [round(v, 2) for v in os.getloadavg()],
    }
    with turnserver(folder) as (turn_process, turn_port, secret):
        turn = psutil.Process(turn_process.pid)
        result["turn_idle_rss_mib"] = round(turn.memory_info().rss / 2**20, 1)
        env = {
            **bench.env,
            "TURN_HOST": "127.0.0.1",
            "TURN_PORT": str(turn_port),
            "TURN_SECRET": secret,
            "CELERY_TASK_ALWAYS_EAGER": "1",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
        with daphnes("summit.asgi:application", env, bench.log_dir) as (server,), sync_playwright() as playwright:
            camera = camera_file(folder)
            result["camera"] = "ffmpeg testsrc2 with grain, 640×360 at 15 frames/s" if camera else "Chromium's own"
            extra = [f"--use-file-for-fake-video-capture={camera}"] if camera else []
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra])
            try:
                for route, query in (("direct", ""), ("relayed", "?ice=relay")):
                    joiner, waiting, routes = [], [], []
                    for number in range(sizes["calls"]):
                        call = Call(browser, server.base_url, path, sessions, query)
                        try:
                            ms_joiner, ms_waiting = call.join()
                            joiner.append(ms_joiner)
                            waiting.append(ms_waiting)
                            routes.append(call.route())
                            if route == "relayed" and number == sizes["calls"] - 1:
                                time.sleep(sizes["calls_warm_s"])  # the congestion control ramps up first
                                result["held_call"] = hold(call, turn, sizes["calls_hold_s"])
                        finally:
                            call.close()
                    bench.log(f"calls {route}: joiner p50 {statistics.median(joiner):.0f} ms, routes {set(routes)}")
                    result[route] = {
                        "joiner": summary(joiner),
                        "waiting": summary(waiting),
                        "routes": sorted(set(routes)),
                        "joiner_ms": joiner,
                    }
            finally:
                browser.close()
        result["turn_rss_after_mib"] = round(turn.memory_info().rss / 2**20, 1)
    result["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
    return result


# --- the report's section (bench/report/document.py calls it) ---------------------------------------------


def section(result):
    """The Markdown of `make bench`'s "Meeting calls" section."""
    if not result:
        return "Not run."
    if "not_run" in result or "failed" in result:
        return f"Not measured: {result.get('not_run') or result.get('failed')}."
    rows = []
    for route in ("direct", "relayed"):
        r = result.get(route) or {}
        for side, label in (("joiner", "the person pressing Join"), ("waiting", "the person already in the call")):
            s = r.get(side)
            if s:
                rows.append(
                    f"| {route} ({', '.join(r['routes'])}) | {label} | {s['n']} | {s['p50_ms']} | {s['p95_ms']} "
                    f"| {s['max_ms']} |"
                )
    lines = [
        f"Two people of an accepted meeting, each in a fresh headless Chromium context with a fake camera "
        f"({result.get('camera', 'Chromium’s own')}) and microphone, open the meeting room; one presses "
        f"**Join the call**, then the other. Time from that "
        f"second press to the first decoded remote frame (the remote `<video>` has a size), on each side; "
        f"{result['calls_per_route']} calls per route, through a real coturn on this machine (`?ice=relay` "
        f"for the relayed ones; the route is the panel's candidate type). Load average (1/5/15 min) "
        f"{fmt_load(result['load_average_before'])} before, {fmt_load(result['load_average_after'])} after.",
        "",
        "| route | first frame for | calls | p50 ms | p95 ms | max ms |",
        "| --- | --- | --- | --- | --- | --- |",
        *rows,
    ]
    held = result.get("held_call")
    if held:
        kbps = " and ".join(str(k) for k in held["received_kbps_per_person"])
        lines += [
            "",
            f"One relayed call held {held['seconds']} s after {result['warm_s']} s of ramp-up (camera 640×360 "
            f"at 15 frames/s and video at most 500 kbit/s per connection, as the page asks): each person "
            f"received {kbps} kbit/s (audio and video); coturn used "
            f"**{held['turn_cpu_percent_of_a_core']} % of one core** and {held['turn_rss_peak_mib']} MiB "
            f"resident at most (idle: {result['turn_idle_rss_mib']} MiB; after every call: "
            f"{result['turn_rss_after_mib']} MiB). Both people are relayed by the same server, so it carries "
            f"each packet twice (in from the sender, out to the receiver through the other's allocation). "
            f"Load average {fmt_load(held['load_average_before'])} before the hold, "
            f"{fmt_load(held['load_average_after'])} after.",
        ]
    return "\n".join(lines)


def fmt_load(values):
    return " / ".join(f"{v:.2f}" for v in values)
