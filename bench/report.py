"""docs/benchmarks.md and docs/bench-p99.svg from a run's results (no plotting library needed).

Everything above the hand-written analysis heading is regenerated on every
run; the analysis below it (profiles, what was tried) is kept.

Past 500 lines on purpose: one section writer per scenario, in the order the report reads.
"""

import math
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from xml.sax.saxutils import escape

import psutil

from bench import calls

ANALYSIS_HEADING = "## Analysis (hand-written, kept across runs)"
PACKAGES = [
    "Django",
    "channels",
    "daphne",
    "channels-redis",
    "redis",
    "Twisted",
    "psycopg",
    "websockets",
    "uvloop",
    "psutil",
    "py-spy",
]
COLOURS = {"real": "#1f6fb2", "textbook": "#d9641e"}
TARGET_P99_MS = 250
GENERATOR_NOTE_CORES = 0.5


def machine(env):
    """CPU, memory and the versions that matter, for the report's header."""
    import redis
    from django.db import connection

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("select sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": {name: installed_version(name) for name in PACKAGES},
        "redis_server": redis.Redis.from_url(env["REDIS_URL"], socket_timeout=5).info()["redis_version"],
        "database": database,
        "db_pool_max": env.get("DB_POOL_MAX"),
        "commit": commit,
    }


def entries(result):
    """A scenario's results as a list: some run once per design or server count, some once."""
    if result is None:
        return []
    return result if isinstance(result, list) else [result]


def installed_version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def fmt(value, unit=""):
    if value is None:
        return "–"
    if isinstance(value, float):
        value = f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"
    elif isinstance(value, int):
        value = f"{value:,}"
    return f"{value}{unit}"


def table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += [
        "| " + " | ".join(fmt(cell) if not isinstance(cell, str) else cell for cell in row) + " |" for row in rows
    ]
    return "\n".join(lines)


def not_run(result):
    if isinstance(result, dict):
        return result.get("not_run") or result.get("failed") or result.get("error")
    return None


def ramp_steps(results, target):
    for entry in entries(results["scenarios"].get("ramp")):
        if entry.get("target") == target and "steps" in entry:
            return entry["steps"]
    return []


def chat_row(label, r):
    return [
        label,
        r["attendees"],
        r["messages_per_s"],
        r["deliveries_per_s"],
        r["p50_ms"],
        r["p95_ms"],
        r["p99_ms"],
        r["max_ms"],
        r["lost"] + r["unacknowledged"],
        r["duplicated"],
        r["out_of_order"],
        r["refused"] + r["dropped"],
        r["server"]["cpu_cores"],
        r["server_cpu_us_per_delivery"],
        r["server"]["peak_rss_mib"],
        f"{r['generator']['cpu_cores']} ({r['generator_processes']} proc"
        + (", saturated)" if r["generator_saturated"] else ")"),
        r.get("generator_cpu_us_per_frame"),
    ]


CHAT_HEADERS = [
    "",
    "attendees",
    "msg/s",
    "deliveries/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "max ms",
    "lost",
    "dup",
    "out of order",
    "refused/dropped",
    "server CPU (cores)",
    "server µs/delivery",
    "server RSS MiB",
    "generator CPU (cores)",
    "generator µs/frame",
]


def holds(steps, p99_ms=TARGET_P99_MS):
    """The most attendees a design held with p99 under the bound and nothing lost or refused."""
    good = [
        s["attendees"]
        for s in steps
        if s["p99_ms"] is not None
        and s["p99_ms"] <= p99_ms
        and not (s["lost"] or s["unacknowledged"] or s["refused"] or s["dropped"] or s["duplicated"])
    ]
    return max(good, default=0)


def step_at(steps, attendees):
    return next((s for s in steps if s["attendees"] == attendees), None)


def chat_measured(step):
    if step is None:
        return "not reached"
    return (
        f"p99 {fmt(step['p99_ms'])} ms, lost {step['lost'] + step['unacknowledged']}, dup {step['duplicated']}, "
        f"out of order {step['out_of_order']}"
    )


def targets_section(results):
    scenarios = results["scenarios"]
    real, textbook = ramp_steps(results, "real"), ramp_steps(results, "textbook")
    rows = []
    at_2000, at_3000 = step_at(real, 2000), step_at(real, 3000)
    cost = at_2000 and at_2000["server_cpu_us_per_delivery"]
    rows.append(
        [
            "Delivery cost: ≤ 15 µs of server CPU per delivery, 2,000 attendees in one room",
            fmt(cost, " µs") if at_2000 else "not reached",
            verdict(cost is not None and cost <= 15),
        ]
    )
    rows.append(
        [
            "One room, 2,000 attendees, 10 msg/s: p99 < 250 ms, nothing lost/doubled, order kept",
            chat_measured(at_2000),
            verdict(at_2000 is not None and holds([at_2000]) == 2000),
        ]
    )
    rows.append(
        [
            "One room, 3,000 attendees, 10 msg/s: p99 < 250 ms, nothing lost/doubled, order kept",
            chat_measured(at_3000),
            verdict(at_3000 is not None and holds([at_3000]) == 3000),
        ]
    )
    real_holds, textbook_holds = holds(real), holds(textbook)
    ratio = real_holds / textbook_holds if textbook_holds else None
    if not real:
        measured = "real consumer not run"
    elif textbook_holds:
        measured = f"{fmt(real_holds)} vs {fmt(textbook_holds)} attendees ({fmt(ratio)}×)"
    else:
        measured = f"{fmt(real_holds)} vs none: the textbook design held no step of the ramp"
    ok = bool(real_holds) and (ratio >= 10 if ratio is not None else real_holds > 0)
    rows.append([f"≥ 10× the textbook design's attendees at p99 < {TARGET_P99_MS} ms", measured, verdict(ok)])
    idle = [r for r in entries(scenarios.get("idle")) if r.get("target") == results["target"]]
    kib = idle[0]["kib_per_socket"] if idle and not not_run(idle[0]) else None
    rows.append(
        [
            "Idle: ≤ 20 KiB of server memory per socket (at 2,000 sockets)",
            fmt(kib, " KiB"),
            verdict(kib is not None and kib <= 20 and idle[0]["sockets"] >= 2000),
        ]
    )
    storms = [s for s in entries(scenarios.get("join_storm")) if not not_run(s)]
    storm = next((s for s in storms if s["servers"] == 1), None)
    rows.append(
        [
            "Join storm: 2,000 in the room within 5 s on one process, none refused",
            "not run"
            if storm is None
            else f"{fmt(storm['all_in_s'])} s, {storm['refused']} refused, {storm['dropped']} dropped",
            verdict(
                storm is not None
                and storm["all_in_s"] <= 5
                and storm["attendees"] >= 2000
                and not storm["refused"]
                and not storm["dropped"]
            ),
        ]
    )
    votes = scenarios.get("votes") or {}
    if not_run(votes) or not votes:
        measured, ok = not_run(votes) or "not run", False
    else:
        latency = votes["vote_latency"]
        measured = (
            ("exact" if votes["exact"] else "NOT exact") + f", {votes['votes_processed']:,} of "
            f"{votes['votes_sent']:,} applied, answer p99 {fmt(latency['p99_ms'])} ms / max "
            f"{fmt(latency['max_ms'])} ms, {fmt(votes['vote_count_frames_per_s'])} count frames/s per attendee"
        )
        ok = (
            votes["exact"]
            and votes["attendees"] >= 1000
            and latency["max_ms"] is not None
            and latency["max_ms"] <= 1000
            and votes["vote_count_frames_per_s"] <= 4
        )
    rows.append(
        [
            "Votes: 1,000 attendees, 100 votes/s for 10 s: each applied once within 1 s, counts exact, "
            "counts broadcast at most a few times a second",
            measured,
            verdict(ok),
        ]
    )
    polls = scenarios.get("polls") or {}
    rows.append(
        [
            "Poll storm (1,000 voters, 10 s): every ballot counted once, results within 1 s of the last",
            not_run(polls)
            or (
                ("exact" if polls.get("exact") else "NOT exact")
                + ", final results after "
                + fmt(polls.get("final_results_after_last_ballot_max_s"), " s")
            ),
            verdict(
                polls.get("exact") is True
                and polls.get("results_within_1s") is True
                and polls.get("attendees", 0) >= 1000
            ),
        ]
    )
    endpoints = (scenarios.get("http") or {}).get("endpoints", [])
    api = next((e for e in endpoints if e["path"].startswith("/api/")), None)
    page = next((e for e in endpoints if not e["path"].startswith("/api/")), None)
    rows.append(
        [
            "Schedule API: ≥ 1,000 req/s at concurrency 50",
            fmt(api and api["requests_per_s"], " req/s"),
            verdict(api is not None and api["requests_per_s"] >= 1000),
        ]
    )
    rows.append(
        [
            "Schedule page: ≥ 500 req/s at concurrency 50",
            fmt(page and page["requests_per_s"], " req/s"),
            verdict(page is not None and page["requests_per_s"] >= 500),
        ]
    )
    report = scenarios.get("report") or {}
    seconds = report["runs"][0]["seconds"] if report.get("runs") and report["runs"][0]["status"] == 200 else None
    if report.get("build_report_s") is not None:
        seconds = report["build_report_s"]
    rows.append(
        [
            "Attendance report, 10,000 attendees, 1,000,000 intervals: < 1 s",
            not_run(report) or fmt(seconds, " s"),
            verdict(seconds is not None and seconds < 1 and report.get("attendees", 0) >= 10_000),
        ]
    )
    procs = [r for r in entries(scenarios.get("processes")) if not not_run(r)]
    one = at_2000 if procs and at_2000 and procs[0]["attendees"] == 2000 else None
    costs = [(1, one["server_cpu_us_per_delivery"])] if one else []
    costs += [(r["servers"], r["server_cpu_us_per_delivery"]) for r in procs]
    known = [c for _n, c in costs if c is not None]
    flat = len(costs) >= 3 and len(known) == len(costs) and max(known) <= 1.5 * min(known)
    rows.append(
        [
            "CPU per delivery stays flat with 1, 2 and 4 Daphne processes on one room (within 1.5×)",
            ", ".join(f"{n}: {fmt(c, ' µs')}" for n, c in costs) or "not run",
            verdict(flat),
        ]
    )
    crowd = scenarios.get("crowd") or {}
    rows.append(
        [
            "One room, 10,000 attendees on two Daphne processes, 10 msg/s: p99 < 250 ms, nothing lost/doubled, "
            "order kept (issue 23)",
            not_run(crowd) or (chat_measured(crowd) if crowd else "not run"),
            verdict(bool(crowd) and not not_run(crowd) and holds([crowd]) >= 10_000),
        ]
    )
    storm = scenarios.get("registrations") or {}
    rows.append(
        [
            "Registration storm: 1,000 registrations within a minute, p99 < 500 ms, every sign-in mail sent once "
            "(issue 23)",
            not_run(storm) or (registrations_measured(storm) if storm else "not run"),
            verdict(bool(storm) and not not_run(storm) and registrations_met(storm)),
        ]
    )
    note = "\n\nA smoke run: its sizes are too small for any target to count as met." if results.get("smoke") else ""
    return table(["target (issues 15 and 23)", "measured", "met"], rows) + note


def registrations_measured(storm):
    phases = storm["phases"]
    return (
        f"p99 {fmt(phases['new']['p99_ms'])} ms new, {fmt(phases['known']['p99_ms'])} ms known; "
        f"{storm['known_mailed_once']:,} of {storm['people']:,} mailed once, "
        f"{storm['known_mailed_twice_or_more']} twice, {storm['known_not_mailed']} not at all"
    )


def registrations_met(storm):
    phases = storm["phases"]
    answered = all(
        sum(phase["statuses"].values()) == storm["people"] and phase["p99_ms"] is not None and phase["p99_ms"] < 500
        for phase in phases.values()
    )
    statuses_right = phases["new"]["statuses"] == {"201": storm["people"]} and phases["known"]["statuses"] == {
        "202": storm["people"]
    }
    return (
        answered
        and statuses_right
        and storm["people"] >= 1000
        and storm["known_mailed_once"] == storm["people"]
        and not storm["other_mails"]
    )


def registrations_section(storm):
    if not storm or not_run(storm):
        return (not_run(storm) if storm else None) or "not run"
    rows = table(
        ["phase", "requests", "in (s)", "statuses", "p50 ms", "p95 ms", "p99 ms", "max ms", "server CPU (cores)"],
        [
            [
                name,
                phase["requests"],
                phase["window_s"],
                str(phase["statuses"]),
                phase["p50_ms"],
                phase["p95_ms"],
                phase["p99_ms"],
                phase["max_ms"],
                phase["server"]["cpu_cores"],
            ]
            for name, phase in storm["phases"].items()
        ],
    )
    return (
        f"{rows}\n\nMails written by the worker: {storm['mails']:,}. Known addresses mailed exactly once: "
        f"{storm['known_mailed_once']:,} of {storm['people']:,}; twice or more: {storm['known_mailed_twice_or_more']}; "
        f"never: {storm['known_not_mailed']}; mails to the new addresses: {storm['other_mails']}. "
        + (
            f"The last sign-in mail was written {fmt(storm['mails_done_after_s'])} s after the known phase began. "
            if storm["known_mailed_once"] + storm["known_mailed_twice_or_more"] == storm["people"]
            else f"The scenario stopped waiting for the rest {fmt(storm['mails_done_after_s'])} s after the known "
            "phase began. "
        )
        + "*new*: addresses nobody had "
        "registered (201: account, registration, session); *known*: addresses with an account (202: a single-use "
        "sign-in link, mailed by a real Celery worker through Django's file backend, every mail read back). Every "
        "visitor opens its own connection from 127.0.0.1 (a GET of the CSRF cookie, then the timed POST), so the "
        "per-client registration throttle is raised for this server."
    )


def crowd_section(result, label):
    if not result or not_run(result):
        return f"{label}: {(not_run(result) if result else None) or 'not run'}"
    return (
        f"{chat_section(result, label)}\n\nOn {result['servers']} Daphne processes behind one Redis, sockets "
        f"split evenly. Server CPU per delivery {fmt(result['server_cpu_us_per_delivery'])} µs; load generator "
        f"CPU per received frame {fmt(result.get('generator_cpu_us_per_frame'))} µs."
    )


def load_section(results):
    loads = results.get("load_average") or {}
    if not loads:
        return "not recorded"
    return table(
        ["scenario", "load average before (1/5/15 min)", "after (1/5/15 min)"],
        [
            [name, " / ".join(f"{v:.2f}" for v in load["before"]), " / ".join(f"{v:.2f}" for v in load["after"])]
            for name, load in loads.items()
        ],
    )


def processes_section(results):
    if not results or not_run(results):
        return not_run(results) or "not run"
    return table(
        CHAT_HEADERS,
        [
            chat_row(f"{r['servers']} processes", r)
            if not not_run(r)
            else [f"{r.get('servers', '')} processes", not_run(r)] + [""] * 14
            for r in entries(results)
        ],
    )


def verdict(ok):
    return "yes" if ok else "**no**"


def ramp_section(results):
    parts = []
    for entry in entries(results["scenarios"].get("ramp")):
        if not_run(entry):
            parts.append(f"*{entry.get('target', 'scenario 1')}*: {not_run(entry)}")
            continue
        rows = [chat_row(entry["target"], s) for s in entry["steps"]]
        stop = next((s["stopped_ramp"] for s in entry["steps"] if s.get("stopped_ramp")), None)
        parts.append(table(CHAT_HEADERS, rows) + (f"\n\nRamp of *{entry['target']}* stopped: {stop}." if stop else ""))
        busy = [s for s in entry["steps"] if s["generator"]["cpu_cores"] >= GENERATOR_NOTE_CORES]
        if busy:
            parts.append(
                f"Load generator note (*{entry['target']}*): from {busy[0]['attendees']:,} attendees the generator "
                f"itself used {fmt(busy[0]['generator']['cpu_cores'])}+ of the machine's {results['machine']['cores']} "
                "cores, CPU the server could not have; latencies at those sizes are an upper bound for the server "
                "alone."
            )
    real, textbook = ramp_steps(results, "real"), ramp_steps(results, "textbook")
    common = sorted({s["attendees"] for s in real} & {s["attendees"] for s in textbook})
    if common:
        n = common[-1]
        r = next(s for s in real if s["attendees"] == n)
        t = next(s for s in textbook if s["attendees"] == n)
        cost = (
            t["server_cpu_us_per_delivery"] / r["server_cpu_us_per_delivery"]
            if r["server_cpu_us_per_delivery"] and t["server_cpu_us_per_delivery"]
            else None
        )
        p99 = t["p99_ms"] / r["p99_ms"] if r["p99_ms"] and t["p99_ms"] else None
        parts.append(
            f"**Ratio to the textbook design** (same run, same clients): the real consumer held "
            f"{fmt(holds(real))} attendees at p99 ≤ {TARGET_P99_MS} ms with nothing lost, the textbook one "
            f"{fmt(holds(textbook))}. At {n:,} attendees, the largest size both ran, the textbook design "
            f"spent {fmt(cost)}× the server CPU per delivery and had {fmt(p99)}× the p99 latency."
        )
    return "\n\n".join(parts)


def chat_section(result, label):
    if not_run(result):
        return f"{label}: {not_run(result)}"
    return table(CHAT_HEADERS, [chat_row(label, result)])


def write_svg(results, path):
    """p99 delivery latency against attendees, one line per design, log-scaled latency."""
    width, height, left, right, top, bottom = 740, 400, 84, 150, 30, 50
    sizes = results["sizes"]["ramp"]
    series = {t: ramp_steps(results, t) for t in ("real", "textbook")}
    values = [s["p99_ms"] for steps in series.values() for s in steps if s["p99_ms"]]
    top_ms = 10 ** math.ceil(math.log10(max(values + [1000])))
    low_ms = 1

    def x(attendees):
        return left + (width - left - right) * sizes.index(attendees) / max(1, len(sizes) - 1)

    def y(ms):
        ms = min(max(ms, low_ms), top_ms)
        return top + (height - top - bottom) * (1 - math.log10(ms / low_ms) / math.log10(top_ms / low_ms))

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="18" font-size="14">p99 chat delivery latency against attendees in one room '
        f"(10 msg/s)</text>",
    ]
    decade = low_ms
    while decade <= top_ms:
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(decade):.1f}" y2="{y(decade):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y(decade) + 4:.1f}" text-anchor="end">{decade:g} ms</text>')
        decade *= 10
    for attendees in sizes:
        out.append(f'<text x="{x(attendees):.1f}" y="{height - bottom + 18}" text-anchor="middle">{attendees:,}</text>')
    out.append(f'<text x="{(width - right + left) / 2}" y="{height - 10}" text-anchor="middle">attendees</text>')
    for ms, label in ((TARGET_P99_MS, "target 250 ms"), (results["sizes"]["ramp_stop_p99_ms"], "ramp stop")):
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(ms):.1f}" y2="{y(ms):.1f}" stroke="#999" '
            f'stroke-dasharray="4 4"/>'
        )
        out.append(f'<text x="{width - right + 4}" y="{y(ms) + 4:.1f}" fill="#666">{label}</text>')
    for number, (target, steps) in enumerate(series.items()):
        points = [(x(s["attendees"]), y(s["p99_ms"])) for s in steps if s["p99_ms"] and s["attendees"] in sizes]
        if not points:
            continue
        colour = COLOURS[target]
        out.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="'
            + " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            + '"/>'
        )
        out += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{colour}"/>' for px, py in points]
        out.append(
            f'<text x="{width - right + 4}" y="{top + 20 + 16 * number}" fill="{colour}">{escape(target)}</text>'
        )
    out.append("</svg>")
    path.write_text("\n".join(out) + "\n")


def write_report(results, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    svg = path.parent / "bench-p99.svg"
    write_svg(results, svg)
    kept = ""
    if path.exists() and ANALYSIS_HEADING in path.read_text():
        kept = path.read_text().split(ANALYSIS_HEADING, 1)[1]
    m = results["machine"]
    s = results["scenarios"]
    sizes = results["sizes"]
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `{results.get('command', 'make bench').strip()}` (what `make bench` runs) on {results['date']} "
        f"(commit {m['commit']}, {fmt(results['total_s'])} s in all)"
        + (
            f", merged with the results of `{results['merged_from']['command'].strip()}` of "
            f"{results['merged_from']['date']} for the scenarios it did not run. "
            if results.get("merged_from")
            else ". "
        )
        + "Raw numbers: `var/bench/*.json`. Every number below comes from that run (or those two); nothing is "
        "edited by hand above the analysis heading.",
        "",
        "Run it again with `make bench` (Redis at `REDIS_URL`, default the local one; PostgreSQL when "
        "`DATABASE_URL` is set, else a SQLite file under `var/bench/`; about 15 minutes). "
        "`make bench BENCH_ARGS=--profile` adds py-spy profiles of the server; `make bench-smoke` runs every "
        "scenario tiny.",
        "",
        "## Machine",
        "",
        table(
            ["", ""],
            [
                ["CPU", f"{m['cpu']}, {m['cores']} cores"],
                ["RAM", f"{m['ram_gib']} GiB"],
                ["OS", m["os"]],
                ["Python", m["python"]],
                ["Redis server", m["redis_server"]],
                ["Database", m["database"]],
                ["DB_POOL_MAX (PostgreSQL)", str(m.get("db_pool_max"))],
                *[[name, version] for name, version in m["packages"].items()],
            ],
        ),
        "",
        "Shape: Daphne (DEBUG off) serving the ASGI app, Redis as channel layer and cache, the database above; "
        "the load generator (`bench/loadgen.py`: uvloop, raw sockets, frames parsed in bulk) runs in its own "
        "processes on the same machine and its CPU is reported beside the server's (per received frame too). "
        "Latency is from the sender's `time.time_ns()` in the chat body to the frame's arrival at each receiver, "
        "sender's own echo included. *Lost* counts, per "
        "client, room `seq`s seen by someone in the room after the client's `room.state` but never by the "
        "client, plus sends never acknowledged; *out of order* counts frames whose `seq` is below one already seen.",
        "",
        "## Targets",
        "",
        targets_section(results),
        "",
        "## Machine load during the run",
        "",
        "The machine is shared (other work ran beside the bench); the load averages include the bench's own "
        "servers and load generators.",
        "",
        load_section(results),
        "",
        f"## 1. One room, {sizes['ramp_rate']} messages/s for {sizes['ramp_duration']} s, ramping attendees",
        "",
        ramp_section(results),
        "",
        "![p99 latency against attendees](bench-p99.svg)",
        "",
        f"### {sizes['processes_attendees']:,} attendees in one room, over several Daphne processes behind one Redis",
        "",
        processes_section(s.get("processes")),
        "",
        f"## 2. {sizes['rooms']} rooms × {sizes['room_attendees']} attendees, {sizes['room_rate']} messages/s each",
        "",
        chat_section(s.get("rooms") or {"not_run": "not run"}, "rooms"),
        "",
        f"## 3. Burst: {sizes['burst_attendees']} attendees, {sizes['burst_rate']} messages/s for "
        f"{sizes['burst_duration']} s",
        "",
        chat_section(s.get("burst") or {"not_run": "not run"}, "burst"),
        "",
        f"## 4. Join storm: {sizes['join_storm']:,} attendees connect at once",
        "",
        storm_section(s.get("join_storm")),
        "",
        f"## 5. Vote storm: {sizes['vote_attendees']:,} attendees, {sizes['vote_questions']} questions, "
        f"{sizes['vote_window']} s",
        "",
        votes_section(s.get("votes")),
        "",
        f"## 5b. Poll storm: {sizes['poll_voters']:,} voters, {sizes['poll_options']} options, "
        f"{sizes['poll_window']} s",
        "",
        polls_section(s.get("polls")),
        "",
        f"## 2b. {sizes['crowd_attendees']:,} attendees in one room on {sizes['crowd_servers']} Daphne processes, "
        f"{sizes['crowd_rate']} messages/s",
        "",
        crowd_section(s.get("crowd"), "crowd"),
        "",
        f"## 2c. {sizes['crowd_rooms']} rooms × {sizes['crowd_room_attendees']} attendees on "
        f"{sizes['crowd_servers']} Daphne processes, {sizes['crowd_room_rate']} messages/s each",
        "",
        crowd_section(s.get("room_crowds"), "room crowds"),
        "",
        f"## 6. Idle memory at {sizes['idle_sockets']:,} sockets",
        "",
        idle_section(s.get("idle")),
        "",
        f"## 7. HTTP at concurrency {sizes['http_concurrency']}",
        "",
        http_section(s.get("http")),
        "",
        f"## 8. Attendance report: {sizes['report_attendees']:,} attendees, {sizes['report_sessions']} sessions, "
        f"{sizes['report_intervals']:,} intervals",
        "",
        report_section(s.get("report")),
        "",
        "## 9. Storing: one room's chat written by several threads at once, without sockets",
        "",
        store_section(s.get("store")),
        "",
        f"## 10. Registration storm: {sizes['registration_storm']:,} registrations in "
        f"{sizes['registration_window']} s, twice",
        "",
        registrations_section(s.get("registrations")),
        "",
        f"## 11. Meeting calls: join to first picture, and the TURN server's cost ({sizes.get('calls')} calls a route)",
        "",
        calls.section(s.get("calls")),
        "",
        *profile_section(results),
        ANALYSIS_HEADING,
    ]
    path.write_text(
        "\n".join(lines) + (kept if kept else "\n\nWhere a target is missed, the profile and what was tried go here.\n")
    )


def storm_section(results):
    if not results or not_run(results):
        return not_run(results) or "not run"
    rows = [
        [
            f"{r['servers']} process(es)",
            r["attendees"],
            r["all_in_s"],
            r["joined"],
            r["refused"],
            r["dropped"],
            r["join_p50_ms"],
            r["join_p99_ms"],
            r["join_max_ms"],
            r["server"]["cpu_cores"],
        ]
        if not not_run(r)
        else [str(r.get("servers", "")), not_run(r), "", "", "", "", "", "", "", ""]
        for r in results
    ]
    return table(
        [
            "",
            "attendees",
            "all in (s)",
            "joined",
            "refused",
            "dropped",
            "join p50 ms",
            "join p99 ms",
            "join max ms",
            "server CPU (cores)",
        ],
        rows,
    )


def votes_section(r):
    if not r or not_run(r):
        return (not_run(r) if r else None) or "not run"
    latency = r["vote_latency"]
    text = table(
        [
            "attendees",
            "questions",
            "votes sent",
            "applied",
            "refused (error frames)",
            "unanswered at the deadline",
            "all answered after window",
            "answer p50 ms",
            "answer p99 ms",
            "answer max ms",
            "expected total",
            "counted total",
            "exact",
            "count frames/s per attendee",
            "errors",
            "sockets refused/dropped",
        ],
        [
            [
                r["attendees"],
                r["questions"],
                r["votes_sent"],
                r["votes_processed"],
                r["votes_refused"],
                r["votes_unprocessed"],
                fmt(r["applied_after_s"], " s"),
                latency["p50_ms"],
                latency["p99_ms"],
                latency["max_ms"],
                r["expected_total"],
                r["counted_total"],
                "yes" if r["exact"] else "**no**",
                r["vote_count_frames_per_s"],
                str(r["errors"] or "none"),
                r["refused"] + r["dropped"],
            ]
        ],
    )
    if r["votes_unprocessed"]:
        text += (
            f"\n\n{r['votes_unprocessed']} votes had no answer when the bench stopped waiting: the counts "
            f"below miss them."
        )
    if r["mismatches"]:
        text += f"\n\nMismatches (question: expected, Question.votes, QuestionVote rows): {r['mismatches']}"
    return text + (
        "\n\nEvery fifth attendee votes twice on the same question (the second vote withdraws it); "
        "counts are checked in the database. A vote is applied when its voter has the "
        "`question.voted` answer (sent after commit); its latency runs from the send to that answer. "
        "The room hears counts as coalesced `question.votes` frames."
    )


def polls_section(r):
    if not r or not_run(r):
        return (not_run(r) if r else None) or "not run"
    text = table(
        [
            "voters",
            "processes",
            "ballots sent",
            "acknowledged",
            "refused",
            "expected voters",
            "counted voters",
            "exact",
            "sockets without the final counts",
            "final counts after last ballot p50 / max",
            "results frames per socket (max, per s)",
        ],
        [
            [
                r["attendees"],
                r["servers"],
                r["ballots_sent"],
                r["ballots_acknowledged"],
                r["ballots_refused"],
                r["expected_voters"],
                r["counted_voters"],
                "yes" if r["exact"] else "**no**",
                r["clients_without_final_results"],
                f"{fmt(r['final_results_after_last_ballot_p50_s'], ' s')} / "
                f"{fmt(r['final_results_after_last_ballot_max_s'], ' s')}",
                f"{r['results_frames_per_socket_max']} ({r['results_frames_per_socket_per_s']}/s)",
            ]
        ],
    )
    if r["mismatches"]:
        text += f"\n\nMismatches (option: expected, counted): {r['mismatches']}"
    return text + (
        "\n\nOne single-choice poll; every fifth voter replaces their ballot with the next option. "
        "Counts are read from the ballots in the database; a socket has the final result when a "
        "`poll.results` frame with exactly those counts reaches it."
    )


def idle_section(results):
    if not results or not_run(results):
        return not_run(results) or "not run"
    rows = table(
        ["design", "sockets", "refused", "RSS before MiB", "RSS after MiB", "KiB per socket"],
        [
            [
                r["target"] + (" (under tracemalloc)" if r.get("traced_run") else ""),
                r["sockets"],
                r["refused"],
                r["rss_before_mib"],
                r["rss_after_mib"],
                r["kib_per_socket"],
            ]
            if not not_run(r)
            else [r.get("target", ""), not_run(r), "", "", "", ""]
            for r in results
        ],
    )
    traced = next((r["traced"] for r in results if r.get("traced")), None)
    if traced is None:
        return rows
    layers = table(
        ["layer (file that allocated)", "KiB per socket"],
        [[name, kib] for name, kib in traced["layers_kib_per_socket"].items()]
        + [["traced in all", traced["traced_kib_per_socket"]]],
    )
    lines = table(["line", "KiB per socket"], [[e["where"], e["kib_per_socket"]] for e in traced["top_lines"]])
    return (
        f"{rows}\n\nWhere the traced server's memory went, per socket ({traced['sockets']:,} sockets, "
        "tracemalloc snapshots before and after they connected, warm-up excluded; bench/memory.py):\n\n"
        f"{layers}\n\nThe biggest allocation sites:\n\n{lines}"
    )


def http_section(r):
    if not r or not_run(r):
        return (not_run(r) if r else None) or "not run"
    return table(
        ["path", "concurrency", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "statuses", "server CPU (cores)"],
        [
            [
                e["path"],
                e["concurrency"],
                e["requests"],
                e["requests_per_s"],
                e["p50_ms"],
                e["p99_ms"],
                e["max_ms"],
                str(e["statuses"]),
                e["server"]["cpu_cores"],
            ]
            for e in r["endpoints"]
        ],
    )


def report_section(r):
    if not r or not_run(r):
        return (not_run(r) if r else None) or "not run"
    return (
        table(
            ["run", "status", "seconds", "CSV rows", "bytes"],
            [[str(i + 1), run["status"], run["seconds"], run["rows"], run["bytes"]] for i, run in enumerate(r["runs"])],
        )
        + f"\n\n`scheduler.reports.build_report` called directly: {fmt(r['build_report_s'], ' s')}. The runs above "
        "time `GET /api/summits/{slug}/reports/attendance.csv` as an organiser through Daphne (no stored report "
        f"exists, so it builds live); run 1 is cold, run 2 warm. Data generation (COPY) took "
        f"{fmt(r['data_generation_s'])} s"
        + (
            f"; folding those intervals into the report's totals (`do_refold_summit`, once, as closing each "
            f"interval live does bit by bit) took {fmt(r['fold_s'])} s."
            if r.get("fold_s") is not None
            else "."
        )
    )


def store_section(r):
    if not r or not_run(r):
        return (not_run(r) if r else None) or "not run"
    return table(
        ["threads", "seconds", "messages stored", "stored/s", "ms per message", "room's last seq"],
        [[r["threads"], r["seconds"], r["stored"], r["stored_per_s"], r["ms_per_message"], r["last_seq"]]],
    ) + (
        "\n\nEach message is one transaction that locks the room's RoomLog row, takes the next seq and stores "
        "the ChatMessage and its RoomEvent: one room's writers queue on that lock, so this is the room's ceiling "
        "of persisted events per second on this database."
    )


def profiled_runs(results):
    s = results["scenarios"]
    for entry in entries(s.get("ramp")):
        for step in entry.get("steps", []):
            if step.get("profile"):
                yield f"Scenario 1, {entry['target']}, {step['attendees']:,} attendees", step
    burst = s.get("burst") or {}
    if burst.get("profile"):
        yield f"Scenario 3 (burst), {burst['target']}", burst
    votes = s.get("votes") or {}
    if votes.get("profile"):
        yield "Scenario 5 (votes)", votes
    for storm in entries(s.get("join_storm")):
        if storm.get("profile"):
            yield f"Scenario 4 (join storm), {storm['servers']} process(es)", storm
    for endpoint in (s.get("http") or {}).get("endpoints", []):
        if endpoint.get("profile"):
            yield f"Scenario 7, `GET {endpoint['path']}`", endpoint


def profile_section(results):
    """py-spy's self time by package and function, for every run sampled with --profile."""
    if not results.get("profiled"):
        return []
    lines = [
        "## Where the server's time goes (py-spy, `--profile`)",
        "",
        "Self time of the Daphne process while the load ran, in percent of the samples (idle excluded); "
        "the sampler ran beside the server, so these runs' latencies are not the ones above to quote.",
        "",
    ]
    for label, run in profiled_runs(results):
        profile = run["profile"]
        if not profile.get("samples"):
            lines += [f"**{label}**: no samples", ""]
            continue
        if "server_cpu_us_per_delivery" in run:
            cost = f"{fmt(run['server_cpu_us_per_delivery'])} µs of server CPU per delivery"
        elif "votes_sent" in run:
            cost = f"{fmt(run['votes_sent'])} votes, answer p99 {fmt(run['vote_latency']['p99_ms'])} ms"
        elif "all_in_s" in run:
            cost = f"all {fmt(run['attendees'])} in after {fmt(run['all_in_s'])} s"
        else:
            cost = f"{fmt(run['requests_per_s'])} requests/s"
        lines += [
            f"**{label}** ({profile['samples']:,} samples, {cost})",
            "",
            table(["package", "% self"], profile["by_package"]),
            "",
            table(["function", "% self"], [[f"`{name}`", share] for name, share in profile["by_function"]]),
            "",
            table(
                ["the platform's own function", "% inclusive"],
                [[f"`{name}`", share] for name, share in profile.get("ours_inclusive", [])],
            ),
            "",
        ]
    return lines
