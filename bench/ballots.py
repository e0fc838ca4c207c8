"""Scenarios 5 and 5b: a vote storm on questions and a poll storm, each counted exactly in the database
and checked against what every socket heard."""

import asyncio
import time

from bench.metrics import delivery_summary, latency_summary
from bench.processes import Usage, Workers
from bench.profiling import Profiler
from bench.scenarios import (
    START_DELAY,
    clients_for,
    connect,
    process_count,
)


async def votes(bench, servers, clients, questions, window):
    settle = bench.sizes["settle"]
    async with Workers(clients, process_count(bench, len(clients)), bench.run_dir) as workers:
        await connect(bench, workers, bench.sizes["connect_concurrency"])
        asked = (await workers.command("ask", questions, first_only=True, timeout=questions * 15 + 30))[0]
        if asked.get("error"):
            await workers.command("close")
            return {"error": f"could not ask the questions: {asked['error']} {asked.get('errors')}"}
        ids = asked["ids"]
        start = time.time() + START_DELAY
        server_usage = Usage([s.ps for s in servers])
        vote = asyncio.create_task(workers.command("vote", start, window, settle, ids, timeout=window + settle + 120))
        await asyncio.sleep(max(0.0, start - time.time()))
        server_usage.begin()
        profiler = Profiler(servers, bench.out_dir / "profiles", "votes", window).start() if bench.profile else None
        sent = sum(answer["votes_sent"] for answer in await vote)
        window_end = time.monotonic()
        # A vote is applied when its voter has the `question.voted` answer (or an error frame):
        # wait for every sent vote, and report what is still unanswered at the deadline.
        deadline = window_end + bench.sizes["drain_timeout"]
        while True:
            stats = await workers.command("stats")
            refused = sum(sum(c["errors"].values()) for answer in stats for c in answer["clients"])
            processed = sum(c["votes_answered"] for answer in stats for c in answer["clients"])
            if processed + refused >= sent or time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.2)
        applied_after_s = round(time.monotonic() - window_end, 2) if processed + refused >= sent else None
        expected = expected_votes(ids, stats)
        await asyncio.sleep(1.0)  # the last vote-count window reaches everybody
        server = server_usage.end()
        stats = await workers.command("stats")
        await workers.command("close")
    return {
        **({"profile": await asyncio.to_thread(profiler.finish)} if profiler else {}),
        "ids": ids,
        "stats": stats,
        "server": server,
        "expected": expected,
        "votes_sent": sent,
        "votes_processed": processed,
        "votes_refused": refused,
        "applied_after_s": applied_after_s,
    }


def expected_votes(ids, stats):
    """Each connected client's one vote on question index % len(ids); every fifth voted twice, withdrawing it.

    A client whose socket failed, or whose vote was refused with an error frame, counts as not
    having voted; the refusal itself is reported under errors and votes_refused.
    """
    expected = {question: 0 for question in ids}
    for answer in stats:
        for client in answer["clients"]:
            if client["ok"] and client["closed_early"] is None and not client["errors"] and client["index"] % 5:
                expected[ids[client["index"] % len(ids)]] += 1
    return expected


def vote_storm(bench, target):
    """Scenario 5: 1,000 attendees vote on 20 questions in 10 s; every fifth votes twice (withdrawing)."""
    sizes = bench.sizes
    count = min(sizes["vote_attendees"], len(bench.attendees))
    with bench.servers(target) as servers:
        room = bench.make_room(f"votes-{target}")
        clients = clients_for(bench, servers, [room], count)
        outcome = asyncio.run(votes(bench, servers, clients, sizes["vote_questions"], sizes["vote_window"]))
    if "error" in outcome:
        return {"target": target, "attendees": count, "error": outcome["error"]}
    ids, stats, expected = outcome["ids"], outcome["stats"], outcome["expected"]
    counted, recorded = bench.vote_counts(ids)
    deliveries = delivery_summary(stats, sizes["vote_window"])
    vote_latencies = [value for answer in stats for value in answer["vote_latencies_us"]]
    clients = [c for answer in stats for c in answer["clients"] if c["ok"]]
    count_frames = max((c["vote_count_frames"] for c in clients), default=0)
    return {
        "target": target,
        "attendees": count,
        "questions": len(ids),
        "votes_sent": outcome["votes_sent"],
        "votes_processed": outcome["votes_processed"],
        "votes_refused": outcome["votes_refused"],
        "votes_unprocessed": outcome["votes_sent"] - outcome["votes_processed"] - outcome["votes_refused"],
        "applied_after_s": outcome["applied_after_s"],
        "vote_latency": latency_summary(vote_latencies),
        "expected_total": sum(expected.values()),
        "counted_total": sum(counted.values()),
        "exact": all(counted.get(q) == expected[q] == recorded.get(q, 0) for q in ids)
        and outcome["votes_processed"] == outcome["votes_sent"],
        "mismatches": {
            q: [expected[q], counted.get(q), recorded.get(q, 0)]
            for q in ids
            if not counted.get(q) == expected[q] == recorded.get(q, 0)
        },
        # question.votes frames one attendee received, per second of the vote window (and its settle)
        "vote_count_frames_per_s": round(count_frames / (sizes["vote_window"] + sizes["settle"] + 1), 2),
        "errors": deliveries["errors"],
        "refused": deliveries["refused"],
        "dropped": deliveries["dropped"],
        "server": outcome["server"],
        **({"profile": outcome["profile"]} if "profile" in outcome else {}),
    }


async def poll_votes(bench, servers, clients, poll, window):
    """Everyone in, ballots for `window` s, then wait until each is acknowledged and results have landed."""
    settle = bench.sizes["settle"]
    async with Workers(clients, process_count(bench, len(clients)), bench.run_dir) as workers:
        await connect(bench, workers, bench.sizes["connect_concurrency"])
        start = time.time() + START_DELAY
        server_usage = Usage([s.ps for s in servers])
        voting = asyncio.create_task(
            workers.command(
                "pollvote", start, window, settle, poll["id"], poll["option_ids"], timeout=window + settle + 120
            )
        )
        await asyncio.sleep(max(0.0, start - time.time()))
        server_usage.begin()
        answers = await voting
        sent = sum(answer["votes_sent"] for answer in answers)
        last_vote_at = max((answer["last_vote_at"] or 0.0) for answer in answers) or None
        deadline = time.monotonic() + bench.sizes["drain_timeout"]
        while True:
            stats = await workers.command("stats")
            clients_seen = [c for answer in stats for c in answer["clients"]]
            acknowledged = sum(c["poll_acks"] for c in clients_seen)
            refused = sum(sum(c["errors"].values()) for c in clients_seen)
            if acknowledged + refused >= sent or time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(bench.sizes["poll_results_wait"])
        server = server_usage.end()
        stats = await workers.command("stats")
        await workers.command("close")
    return {
        "stats": stats,
        "server": server,
        "votes_sent": sent,
        "acknowledged": acknowledged,
        "refused": refused,
        "last_vote_at": last_vote_at,
    }


def expected_ballots(option_ids, clients):
    """Each voting client's final choice: option index % n, or the next one for every fifth (it replaced)."""
    expected = {option: 0 for option in option_ids}
    voters = 0
    for client in clients:
        if client["ok"] and client["closed_early"] is None and not client["errors"]:
            shift = 1 if client["index"] % 5 == 0 else 0
            expected[option_ids[(client["index"] + shift) % len(option_ids)]] += 1
            voters += 1
    return expected, voters


def poll_storm(bench, target):
    """Scenario 5b: 1,000 attendees answer a poll in 10 s, every fifth changing their ballot: every
    ballot counted once, and every socket shown the exact final counts within 1 s of the last ballot."""
    sizes = bench.sizes
    count = min(sizes["poll_voters"], len(bench.attendees))
    with bench.servers(target, count=2) as servers:
        room = bench.make_room(f"polls-{target}")
        poll = bench.open_poll(room, sizes["poll_options"])
        clients = clients_for(bench, servers, [room], count)
        outcome = asyncio.run(poll_votes(bench, servers, clients, poll, sizes["poll_window"]))
    clients_seen = [c for answer in outcome["stats"] for c in answer["clients"]]
    expected, voters = expected_ballots(poll["option_ids"], clients_seen)
    counted, counted_voters = bench.poll_counts(poll)
    final = [counted[option] for option in poll["option_ids"]]
    last = outcome["last_vote_at"]
    lags, frame_counts, missing = [], [], 0
    for client in clients_seen:
        if not client["ok"] or client["closed_early"] is not None:
            continue
        frames = client.get("poll_frames", [])
        frame_counts.append(len(frames))
        reached = next(
            (at for at, seen_voters, votes in frames if seen_voters == counted_voters and votes == final), None
        )
        if reached is None:
            missing += 1
        elif last is not None:
            lags.append(max(0.0, reached - last))
    lags.sort()
    span = sizes["poll_window"] + sizes["poll_results_wait"]
    return {
        "target": target,
        "servers": len(servers),
        "attendees": count,
        "options": len(poll["option_ids"]),
        "ballots_sent": outcome["votes_sent"],
        "ballots_acknowledged": outcome["acknowledged"],
        "ballots_refused": outcome["refused"],
        "expected_voters": voters,
        "counted_voters": counted_voters,
        "exact": counted == expected
        and counted_voters == voters
        and outcome["acknowledged"] + outcome["refused"] == outcome["votes_sent"],
        "mismatches": {
            option: [expected[option], counted.get(option)]
            for option in poll["option_ids"]
            if expected[option] != counted.get(option)
        },
        "clients_without_final_results": missing,
        "final_results_after_last_ballot_p50_s": round(lags[len(lags) // 2], 3) if lags else None,
        "final_results_after_last_ballot_max_s": round(lags[-1], 3) if lags else None,
        "results_within_1s": missing == 0 and bool(lags) and lags[-1] <= 1.0,
        "results_frames_per_socket_max": max(frame_counts, default=0),
        "results_frames_per_socket_per_s": round(max(frame_counts, default=0) / span, 2),
        "server": outcome["server"],
    }
