"""The other scenarios' sections: votes, polls, idle memory, HTTP, the attendance report, storing, registrations."""

from bench.report.format import fmt, not_run, table


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
        f"{rows}\n\nSign-in mails written by the worker: {storm['mails']:,}. Known addresses mailed exactly once: "
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
