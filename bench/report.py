"""docs/benchmarks.md and docs/bench-p99.svg from a run's results (no plotting library needed).

Everything above the hand-written analysis heading is regenerated on every
run; the analysis below it (profiles, what was tried) is kept.
"""

import math
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from xml.sax.saxutils import escape

import psutil

ANALYSIS_HEADING = "## Analysis (hand-written, kept across runs)"
PACKAGES = ["Django", "channels", "daphne", "channels-redis", "redis", "Twisted", "psycopg", "websockets", "uvloop",
            "psutil", "py-spy"]
COLOURS = {"real": "#1f6fb2", "textbook": "#d9641e"}
TARGET_P99_MS = 250
GENERATOR_NOTE_CORES = 0.5


def machine(env):
    """CPU, memory and the versions that matter, for the report's header."""
    import redis
    from django.db import connection

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("select sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parent.parent).stdout.strip()
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
    lines += ["| " + " | ".join(fmt(cell) if not isinstance(cell, str) else cell for cell in row) + " |"
              for row in rows]
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
    return [label, r["attendees"], r["messages_per_s"], r["deliveries_per_s"], r["p50_ms"], r["p95_ms"], r["p99_ms"],
            r["max_ms"], r["lost"] + r["unacknowledged"], r["duplicated"], r["out_of_order"],
            r["refused"] + r["dropped"], r["server"]["cpu_cores"], r["server_cpu_us_per_delivery"],
            r["server"]["peak_rss_mib"], f"{r['generator']['cpu_cores']} ({r['generator_processes']} proc"
            + (", saturated)" if r["generator_saturated"] else ")")]


CHAT_HEADERS = ["", "attendees", "msg/s", "deliveries/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "lost",
                "dup", "out of order", "refused/dropped", "server CPU (cores)", "server µs/delivery",
                "server RSS MiB", "generator CPU (cores)"]


def holds(steps, p99_ms=TARGET_P99_MS):
    """The most attendees a design held with p99 under the bound and nothing lost or refused."""
    good = [s["attendees"] for s in steps if s["p99_ms"] is not None and s["p99_ms"] <= p99_ms
            and not (s["lost"] or s["unacknowledged"] or s["refused"] or s["dropped"] or s["duplicated"])]
    return max(good, default=0)


def targets_section(results):
    scenarios = results["scenarios"]
    real, textbook = ramp_steps(results, "real"), ramp_steps(results, "textbook")
    rows = []
    at_2000 = next((s for s in real if s["attendees"] == 2000), None)
    rows.append(["One room, 2,000 attendees, 10 msg/s: p99 < 250 ms, nothing lost/doubled, order kept",
                 "not reached" if at_2000 is None else
                 f"p99 {fmt(at_2000['p99_ms'])} ms, lost {at_2000['lost'] + at_2000['unacknowledged']}, "
                 f"dup {at_2000['duplicated']}, out of order {at_2000['out_of_order']}",
                 verdict(at_2000 is not None and holds([at_2000]) == 2000)])
    real_holds, textbook_holds = holds(real), holds(textbook)
    ratio = real_holds / textbook_holds if textbook_holds else None
    if not real:
        measured = "real consumer not run"
    elif textbook_holds:
        measured = f"{fmt(real_holds)} vs {fmt(textbook_holds)} attendees ({fmt(ratio)}×)"
    else:
        measured = f"{fmt(real_holds)} vs none: the textbook design held no step of the ramp"
    ok = bool(real_holds) and (ratio >= 5 if ratio is not None else real_holds > 0)
    rows.append([f"≥ 5× the textbook design's attendees at p99 ≤ {TARGET_P99_MS} ms", measured, verdict(ok)])
    idle = [r for r in entries(scenarios.get("idle")) if r.get("target") == results["target"]]
    kib = idle[0]["kib_per_socket"] if idle and not not_run(idle[0]) else None
    rows.append(["Idle: ≤ 30 KiB of server memory per socket (at 2,000 sockets)", fmt(kib, " KiB"),
                 verdict(kib is not None and kib <= 30 and idle[0]["sockets"] >= 2000)])
    storms = [s for s in entries(scenarios.get("join_storm")) if not not_run(s)]
    storm = next((s for s in storms if s["servers"] == 1), None)
    rows.append(["Join storm: 2,000 in the room within 10 s, none refused",
                 "not run" if storm is None else f"{fmt(storm['all_in_s'])} s, {storm['refused']} refused, "
                 f"{storm['dropped']} dropped", verdict(storm is not None and storm["all_in_s"] <= 10
                                                        and storm["attendees"] >= 2000
                                                        and not storm["refused"] and not storm["dropped"])])
    votes = scenarios.get("votes") or {}
    rows.append(["Vote storm (1,000 attendees): exact counts",
                 not_run(votes) or ("exact" if votes.get("exact") else "NOT exact"
                                    + (f" ({votes['votes_unprocessed']} votes still queued)"
                                       if votes.get("votes_unprocessed") else "")),
                 verdict(votes.get("exact") is True and votes.get("attendees", 0) >= 1000)])
    polls = scenarios.get("polls") or {}
    rows.append(["Poll storm (1,000 voters, 10 s): every ballot counted once, results within 1 s of the last",
                 not_run(polls) or (("exact" if polls.get("exact") else "NOT exact") + ", final results after "
                                    + fmt(polls.get("final_results_after_last_ballot_max_s"), " s")),
                 verdict(polls.get("exact") is True and polls.get("results_within_1s") is True
                         and polls.get("attendees", 0) >= 1000)])
    report = scenarios.get("report") or {}
    seconds = report["runs"][0]["seconds"] if report.get("runs") and report["runs"][0]["status"] == 200 else None
    if report.get("build_report_s") is not None:
        seconds = report["build_report_s"]
    rows.append(["Attendance report, 10,000 attendees: < 5 s", not_run(report) or fmt(seconds, " s"),
                 verdict(seconds is not None and seconds < 5 and report.get("attendees", 0) >= 10_000)])
    api = next((e for e in (scenarios.get("http") or {}).get("endpoints", []) if e["path"].startswith("/api/")), None)
    rows.append(["Schedule API: ≥ 500 req/s", fmt(api and api["requests_per_s"], " req/s"),
                 verdict(api is not None and api["requests_per_s"] >= 500)])
    note = "" if not results.get("smoke") else "\n\nA smoke run: its sizes are too small for any target to count as met."
    return table(["target (issue 7)", "measured", "met"], rows) + note


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
        cost = (t["server_cpu_us_per_delivery"] / r["server_cpu_us_per_delivery"]
                if r["server_cpu_us_per_delivery"] and t["server_cpu_us_per_delivery"] else None)
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

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="18" font-size="14">p99 chat delivery latency against attendees in one room '
           f'(10 msg/s)</text>']
    decade = low_ms
    while decade <= top_ms:
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(decade):.1f}" y2="{y(decade):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y(decade) + 4:.1f}" text-anchor="end">{decade:g} ms</text>')
        decade *= 10
    for attendees in sizes:
        out.append(f'<text x="{x(attendees):.1f}" y="{height - bottom + 18}" text-anchor="middle">{attendees:,}</text>')
    out.append(f'<text x="{(width - right + left) / 2}" y="{height - 10}" text-anchor="middle">attendees</text>')
    for ms, label in ((TARGET_P99_MS, "target 250 ms"), (results["sizes"]["ramp_stop_p99_ms"], "ramp stop")):
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(ms):.1f}" y2="{y(ms):.1f}" stroke="#999" '
                   f'stroke-dasharray="4 4"/>')
        out.append(f'<text x="{width - right + 4}" y="{y(ms) + 4:.1f}" fill="#666">{label}</text>')
    for number, (target, steps) in enumerate(series.items()):
        points = [(x(s["attendees"]), y(s["p99_ms"])) for s in steps if s["p99_ms"] and s["attendees"] in sizes]
        if not points:
            continue
        colour = COLOURS[target]
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="'
                   + " ".join(f"{px:.1f},{py:.1f}" for px, py in points) + '"/>')
        out += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{colour}"/>' for px, py in points]
        out.append(f'<text x="{width - right + 4}" y="{top + 20 + 16 * number}" fill="{colour}">'
                   f'{escape(target)}</text>')
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
        f"(commit {m['commit']}, {fmt(results['total_s'])} s in all). "
        "Raw numbers: `var/bench/*.json`. Every number below comes from that run; nothing is edited by hand "
        "above the analysis heading.",
        "",
        "Run it again with `make bench` (Redis at `REDIS_URL`, default the local one; PostgreSQL when "
        "`DATABASE_URL` is set, else a SQLite file under `var/bench/`; about 15 minutes). "
        "`make bench BENCH_ARGS=--profile` adds py-spy profiles of the server; `make bench-smoke` runs every "
        "scenario tiny.",
        "",
        "## Machine",
        "",
        table(["", ""], [
            ["CPU", f"{m['cpu']}, {m['cores']} cores"], ["RAM", f"{m['ram_gib']} GiB"], ["OS", m["os"]],
            ["Python", m["python"]], ["Redis server", m["redis_server"]], ["Database", m["database"]],
            ["DB_POOL_MAX (PostgreSQL)", str(m.get("db_pool_max"))],
            *[[name, version] for name, version in m["packages"].items()],
        ]),
        "",
        "Shape: Daphne (DEBUG off) serving the ASGI app, Redis as channel layer and cache, the database above; "
        "the load generator (`bench/loadgen.py`, asyncio + `websockets`) runs in its own processes on the same "
        "machine and its CPU is reported beside the server's. Latency is from the sender's `time.time_ns()` in "
        "the chat body to the frame's arrival at each receiver, sender's own echo included. *Lost* counts, per "
        "client, room `seq`s seen by someone in the room after the client's `room.state` but never by the "
        "client, plus sends never acknowledged; *out of order* counts frames whose `seq` is below one already seen.",
        "",
        "## Targets",
        "",
        targets_section(results),
        "",
        f"## 1. One room, {sizes['ramp_rate']} messages/s for {sizes['ramp_duration']} s, ramping attendees",
        "",
        ramp_section(results),
        "",
        "![p99 latency against attendees](bench-p99.svg)",
        "",
        "### Two Daphne processes behind the same Redis",
        "",
        chat_section(s.get("two_processes") or {"not_run": "not run"}, "2 processes"),
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
        *profile_section(results),
        ANALYSIS_HEADING,
    ]
    path.write_text("\n".join(lines) + (kept if kept else "\n\nWhere a target is missed, the profile and what was "
                                        "tried go here.\n"))


def storm_section(results):
    if not results or not_run(results):
        return not_run(results) or "not run"
    rows = [[f"{r['servers']} process(es)", r["attendees"], r["all_in_s"], r["joined"], r["refused"], r["dropped"],
             r["join_p50_ms"], r["join_p99_ms"], r["join_max_ms"], r["server"]["cpu_cores"]]
            if not not_run(r) else [str(r.get("servers", "")), not_run(r), "", "", "", "", "", "", "", ""]
            for r in results]
    return table(["", "attendees", "all in (s)", "joined", "refused", "dropped", "join p50 ms", "join p99 ms",
                  "join max ms", "server CPU (cores)"], rows)


def votes_section(r):
    if not r or not_run(r):
        return (not_run(r) if r else None) or "not run"
    text = table(["attendees", "questions", "votes sent", "applied", "refused (error frames)",
                  "still queued at the deadline", "all applied after window", "expected total", "counted total",
                  "exact", "errors", "update frames lost", "duplicated", "out of order", "sockets refused/dropped"],
                 [[r["attendees"], r["questions"], r["votes_sent"], r["votes_processed"], r["votes_refused"],
                   r["votes_unprocessed"], fmt(r["applied_after_s"], " s"), r["expected_total"], r["counted_total"],
                   "yes" if r["exact"] else "**no**", str(r["errors"] or "none"), r["updates_lost"],
                   r["updates_duplicated"], r["updates_out_of_order"], r["refused"] + r["dropped"]]])
    if r["votes_unprocessed"]:
        text += (f"\n\n{r['votes_unprocessed']} vote frames were still queued on the server when the bench "
                 f"stopped waiting: the counts below miss them (neither lost nor refused: not yet applied).")
    if r["mismatches"]:
        text += f"\n\nMismatches (question: expected, Question.votes, QuestionVote rows): {r['mismatches']}"
    return text + "\n\nEvery fifth attendee votes twice on the same question (the second vote withdraws it); " \
                  "counts are checked in the database; a vote is applied when its question.updated event is stored."


def polls_section(r):
    if not r or not_run(r):
        return (not_run(r) if r else None) or "not run"
    text = table(["voters", "processes", "ballots sent", "acknowledged", "refused", "expected voters",
                  "counted voters", "exact", "sockets without the final counts", "final counts after last ballot "
                  "p50 / max", "results frames per socket (max, per s)"],
                 [[r["attendees"], r["servers"], r["ballots_sent"], r["ballots_acknowledged"], r["ballots_refused"],
                   r["expected_voters"], r["counted_voters"], "yes" if r["exact"] else "**no**",
                   r["clients_without_final_results"],
                   f"{fmt(r['final_results_after_last_ballot_p50_s'], ' s')} / "
                   f"{fmt(r['final_results_after_last_ballot_max_s'], ' s')}",
                   f"{r['results_frames_per_socket_max']} ({r['results_frames_per_socket_per_s']}/s)"]])
    if r["mismatches"]:
        text += f"\n\nMismatches (option: expected, counted): {r['mismatches']}"
    return text + ("\n\nOne single-choice poll; every fifth voter replaces their ballot with the next option. "
                   "Counts are read from the ballots in the database; a socket has the final result when a "
                   "`poll.results` frame with exactly those counts reaches it.")


def idle_section(results):
    if not results or not_run(results):
        return not_run(results) or "not run"
    return table(["design", "sockets", "refused", "RSS before MiB", "RSS after MiB", "KiB per socket"],
                 [[r["target"], r["sockets"], r["refused"], r["rss_before_mib"], r["rss_after_mib"],
                   r["kib_per_socket"]] if not not_run(r) else [r.get("target", ""), not_run(r), "", "", "", ""]
                  for r in results])


def http_section(r):
    if not r or not_run(r):
        return (not_run(r) if r else None) or "not run"
    return table(["path", "concurrency", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "statuses",
                  "server CPU (cores)"],
                 [[e["path"], e["concurrency"], e["requests"], e["requests_per_s"], e["p50_ms"], e["p99_ms"],
                   e["max_ms"], str(e["statuses"]), e["server"]["cpu_cores"]] for e in r["endpoints"]])


def report_section(r):
    if not r or not_run(r):
        return (not_run(r) if r else None) or "not run"
    return table(["run", "status", "seconds", "CSV rows", "bytes"],
                 [[str(i + 1), run["status"], run["seconds"], run["rows"], run["bytes"]]
                  for i, run in enumerate(r["runs"])]) + \
        f"\n\n`scheduler.reports.build_report` called directly: {fmt(r['build_report_s'], ' s')}. The runs above " \
        "time `GET /api/summits/{slug}/reports/attendance.csv` as an organiser through Daphne (no stored report " \
        f"exists, so it builds live); run 1 is cold, run 2 warm. Data generation (COPY) took " \
        f"{fmt(r['data_generation_s'])} s."


def profiled_runs(results):
    s = results["scenarios"]
    for entry in entries(s.get("ramp")):
        for step in entry.get("steps", []):
            if step.get("profile"):
                yield f"Scenario 1, {entry['target']}, {step['attendees']:,} attendees", step
    burst = s.get("burst") or {}
    if burst.get("profile"):
        yield f"Scenario 3 (burst), {burst['target']}", burst
    for endpoint in (s.get("http") or {}).get("endpoints", []):
        if endpoint.get("profile"):
            yield f"Scenario 7, `GET {endpoint['path']}`", endpoint


def profile_section(results):
    """py-spy's self time by package and function, for every run sampled with --profile."""
    if not results.get("profiled"):
        return []
    lines = ["## Where the server's time goes (py-spy, `--profile`)", "",
             "Self time of the Daphne process while the load ran, in percent of the samples (idle excluded); "
             "the sampler ran beside the server, so these runs' latencies are not the ones above to quote.", ""]
    for label, run in profiled_runs(results):
        profile = run["profile"]
        if not profile.get("samples"):
            lines += [f"**{label}**: no samples", ""]
            continue
        cost = (f"{fmt(run['server_cpu_us_per_delivery'])} µs of server CPU per delivery"
                if "server_cpu_us_per_delivery" in run else f"{fmt(run['requests_per_s'])} requests/s")
        lines += [f"**{label}** ({profile['samples']:,} samples, {cost})", "",
                  table(["package", "% self"], profile["by_package"]), "",
                  table(["function", "% self"], [[f"`{name}`", share] for name, share in profile["by_function"]]), "",
                  table(["the platform's own function", "% inclusive"],
                        [[f"`{name}`", share] for name, share in profile.get("ours_inclusive", [])]), ""]
    return lines
