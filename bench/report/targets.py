"""The targets table at the top of the report: each issue's goal, what was measured, met or not."""

from bench.report.chat import chat_measured, holds, ramp_steps, step_at
from bench.report.format import TARGET_P99_MS, entries, fmt, not_run, table, verdict


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
    rooms = scenarios.get("room_crowds") or {}
    rows.append(
        [
            "20 rooms × 500 attendees on two Daphne processes, 2 msg/s in each: p99 < 250 ms, nothing "
            "lost/doubled, order kept (issue 23)",
            not_run(rooms) or (chat_measured(rooms) if rooms else "not run"),
            verdict(bool(rooms) and not not_run(rooms) and holds([rooms]) >= 10_000),
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
