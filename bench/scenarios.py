"""The chat, join, idle-memory and HTTP scenarios, each returning a plain dict for the report and var/bench/.

Database work runs synchronously here; each load phase is its own
`asyncio.run`, driving load-generator processes (bench/loadgen.py) against
Daphne processes this module starts and always stops. The helpers every socket
scenario shares (connect, chat_load, drain) live here too; votes and polls are in
bench/ballots.py, the report and storing scenarios in bench/storage.py.
"""

import asyncio
import math
import time
import urllib.error
import urllib.request

from bench import memory
from bench.metrics import delivery_summary, join_summary, latency_summary
from bench.processes import Usage, Workers, sampling
from bench.profiling import Profiler
from bench.sizes import SENDER_RATE

MAX_PROCESSES = 8
REPORT_REPEAT_UNDER_S = 30
START_DELAY = 0.5  # seconds for every load generator to have its command before a timed phase starts
SATURATED = 0.85
TRACED_CONCURRENCY = 20


def connect(bench, workers, concurrency):
    limit = bench.sizes["connect_timeout"]
    return workers.command("connect", concurrency, limit, timeout=limit + 60)


def senders_for(rate):
    return max(1, math.ceil(rate / SENDER_RATE))


def ws_url(server, summit_slug, room_slug):
    return f"ws://127.0.0.1:{server.port}/ws/summits/{summit_slug}/rooms/{room_slug}/"


def clients_for(bench, servers, rooms, count, senders_per_room=0):
    """The first `count` attendees, dealt round-robin over rooms and servers."""
    return [
        {
            "index": i,
            "sessionid": bench.attendees[i]["sessionid"],
            "url": ws_url(servers[i % len(servers)], bench.summit_slug, rooms[i % len(rooms)]),
            "room": rooms[i % len(rooms)],
            "sender": i // len(rooms) < senders_per_room,
        }
        for i in range(count)
    ]


def process_count(bench, clients):
    return min(MAX_PROCESSES, max(2, math.ceil(clients / bench.sizes["clients_per_process"])))


def cost_per_delivery(result):
    if not result["deliveries"]:
        return None
    return round(result["server"]["cpu_s"] * 1e6 / result["deliveries"], 1)


async def chat_load(bench, servers, clients, processes, rate_per_sender, duration, label=None):
    """Everyone joins, then senders chat for `duration` s; returns deliveries, costs and losses.

    With `--profile`, a run given a `label` is also sampled by py-spy while the senders send.
    """
    settle = bench.sizes["settle"]
    server_usage = Usage([s.ps for s in servers])
    async with Workers(clients, processes, bench.run_dir) as workers:
        generator_usage = Usage(workers.ps)
        await connect(bench, workers, bench.sizes["connect_concurrency"])
        start = time.time() + START_DELAY
        chat = asyncio.create_task(
            workers.command("chat", start, duration, rate_per_sender, settle, timeout=duration + settle + 120)
        )
        await asyncio.sleep(max(0.0, start - time.time()))
        server_usage.begin()
        generator_usage.begin()
        profiler = (
            Profiler(servers, bench.out_dir / "profiles", label, duration).start() if bench.profile and label else None
        )
        sampler = asyncio.create_task(sampling(server_usage))
        receivers = sorted({answer["receiver"] for answer in await chat})
        await drain(bench, workers, {c["room"] for c in clients})
        sampler.cancel()
        server, generator = server_usage.end(), generator_usage.end()
        stats = await workers.command("stats")
        await workers.command("close")
    result = delivery_summary(stats, duration)
    result.update(join_summary([c for answer in stats for c in answer["clients"]]))
    result.update(
        attendees=len(clients),
        senders=sum(1 for c in clients if c["sender"]),
        messages_per_s=round(sum(1 for c in clients if c["sender"]) * rate_per_sender, 1),
        duration_s=duration,
        server=server,
        generator=generator,
        generator_processes=processes,
        generator_saturated=generator["busiest_process_cores"] > SATURATED,
        generator_receiver=", ".join(receivers),  # bench/chatreceiver.py: "c", or Python's without gcc
    )
    result["server_cpu_us_per_delivery"] = cost_per_delivery(result)
    # The generator's CPU per chat frame it received, beside the server's per delivery: which one was the limit.
    result["generator_cpu_us_per_frame"] = (
        round(generator["cpu_s"] * 1e6 / result["deliveries"], 1) if result["deliveries"] else None
    )
    if profiler:
        result["profile"] = await asyncio.to_thread(profiler.finish)
    return result


async def drain(bench, workers, rooms):
    """Lets deliveries in flight land: sends acknowledged, then every client up to its room's last seq.

    Both waits are bounded; whatever is still missing after them counts as lost.
    """
    timeout = bench.sizes["drain_timeout"]
    await workers.command("acks", timeout, timeout=timeout + 30)
    targets = await asyncio.to_thread(bench.last_seqs, rooms)
    await workers.command("drain", targets, timeout, timeout=timeout + 30)


def ramp_stop_reason(bench, step):
    if step["refused"] or step["dropped"]:
        return f"{step['refused']} refused, {step['dropped']} dropped"
    if step["lost"] or step["unacknowledged"]:
        return f"{step['lost']} lost, {step['unacknowledged']} unacknowledged"
    if step["p99_ms"] is None:
        return "no deliveries"
    if step["p99_ms"] > bench.sizes["ramp_stop_p99_ms"]:
        return f"p99 {step['p99_ms']} ms > {bench.sizes['ramp_stop_p99_ms']} ms"
    return None


def one_room_ramp(bench, target):
    """Scenario 1: one room, more attendees each step, 10 messages/s, until p99 passes 1 s or anything is lost."""
    sizes = bench.sizes
    steps = []
    processes = 0
    with bench.servers(target) as servers:
        if sizes["warm_up"]:
            room = bench.make_room(f"warm-up-{target}")
            asyncio.run(chat_load(bench, servers, clients_for(bench, servers, [room], 10, 1), 1, SENDER_RATE, 2))
        started = time.monotonic()
        for attendees in sizes["ramp"]:
            if attendees > len(bench.attendees):
                break
            if time.monotonic() - started > sizes["ramp_budget_s"]:
                steps[-1]["stopped_ramp"] = f"time budget of {sizes['ramp_budget_s']} s for the ramp used up"
                break
            room = bench.make_room(f"ramp-{target}-{attendees}")
            processes = max(processes, process_count(bench, attendees))
            clients = clients_for(bench, servers, [room], attendees, senders_for(sizes["ramp_rate"]))
            step = asyncio.run(
                chat_load(
                    bench,
                    servers,
                    clients,
                    processes,
                    SENDER_RATE,
                    sizes["ramp_duration"],
                    label=f"ramp-{target}-{attendees}",
                )
            )
            steps.append(step)
            bench.log(f"ramp {target} {attendees}: p99 {step['p99_ms']} ms, lost {step['lost']}")
            if step["generator_saturated"]:
                processes = min(MAX_PROCESSES, processes * 2)
            step["stopped_ramp"] = ramp_stop_reason(bench, step)
            if step["stopped_ramp"]:
                break
    return {"target": target, "steps": steps}


def processes_room(bench, target):
    """Scenario 1 at one size with 2 and 4 Daphne processes behind the same Redis, clients split over them.

    Every process subscribes to the room once and writes to its own sockets, so
    the CPU per delivery should stay flat as processes are added: that is the
    linear assumption of docs/scaling.md, measured.
    """
    attendees = min(bench.sizes["processes_attendees"], len(bench.attendees))
    runs = []
    for count in bench.sizes["processes"]:
        with bench.servers(target, count=count) as servers:
            room = bench.make_room(f"procs-{target}-{count}-{attendees}")
            clients = clients_for(bench, servers, [room], attendees, senders_for(bench.sizes["ramp_rate"]))
            result = asyncio.run(
                chat_load(
                    bench, servers, clients, process_count(bench, attendees), SENDER_RATE, bench.sizes["ramp_duration"]
                )
            )
        runs.append({"target": target, "servers": count, **result})
        bench.log(
            f"{count} processes, {attendees}: p99 {result['p99_ms']} ms, "
            f"{result['server_cpu_us_per_delivery']} µs/delivery"
        )
    return runs


def many_rooms(bench, target):
    """Scenario 2: 20 rooms of 100, 2 messages/s in each."""
    sizes = bench.sizes
    count = sizes["rooms"] * sizes["room_attendees"]
    with bench.servers(target) as servers:
        rooms = [bench.make_room(f"rooms-{target}-{i}") for i in range(sizes["rooms"])]
        clients = clients_for(bench, servers, rooms, count, senders_for(sizes["room_rate"]))
        result = asyncio.run(
            chat_load(
                bench,
                servers,
                clients,
                process_count(bench, count),
                SENDER_RATE,
                sizes["rooms_duration"],
                label="rooms",
            )
        )
    return {"target": target, "rooms": sizes["rooms"], **result}


def burst(bench, target):
    """Scenario 3: 500 attendees, 100 messages/s for 10 s."""
    sizes = bench.sizes
    count = sizes["burst_attendees"]
    with bench.servers(target) as servers:
        room = bench.make_room(f"burst-{target}")
        clients = clients_for(bench, servers, [room], count, senders_for(sizes["burst_rate"]))
        result = asyncio.run(
            chat_load(
                bench,
                servers,
                clients,
                process_count(bench, count),
                SENDER_RATE,
                sizes["burst_duration"],
                label=f"burst-{target}",
            )
        )
    return {"target": target, **result}


async def storm(bench, servers, clients):
    server_usage = Usage([s.ps for s in servers])
    async with Workers(clients, process_count(bench, len(clients)), bench.run_dir) as workers:
        server_usage.begin()
        profiler = (
            Profiler(
                servers, bench.out_dir / "profiles", f"join-storm-{len(servers)}", bench.sizes["storm_profile_s"]
            ).start()
            if bench.profile
            else None
        )
        answers = await connect(bench, workers, 0)
        everyone_in = max(answer["connect_s"] for answer in answers)
        server = server_usage.end()
        if profiler:
            profiler.stop()  # the storm only: not the hold and the leaves after it
        await asyncio.sleep(bench.sizes["storm_hold"])
        stats = await workers.command("stats")
        await workers.command("close")
    clients_seen = [c for answer in stats for c in answer["clients"]]
    summary = delivery_summary(stats, 0)
    return {
        **({"profile": await asyncio.to_thread(profiler.finish)} if profiler else {}),
        "attendees": len(clients),
        "all_in_s": round(everyone_in, 2),
        "joined": sum(1 for c in clients_seen if c["ok"]),
        "refused": summary["refused"],
        "dropped": summary["dropped"],
        "failures": summary["failures"],
        "server": server,
        **join_summary(clients_seen),
    }


def join_storm(bench, target, server_count):
    """Scenario 4: 2,000 attendees connect at once; time until every one has its room.state."""
    count = min(bench.sizes["join_storm"], len(bench.attendees))
    with bench.servers(target, count=server_count) as servers:
        room = bench.make_room(f"storm-{target}-{server_count}")
        result = asyncio.run(storm(bench, servers, clients_for(bench, servers, [room], count)))
    return {"target": target, "servers": server_count, **result}


async def hold_idle(bench, server, clients, snapshots=None):
    """Server RSS before and after `clients` connect (after a few sockets warmed a fresh server up).

    With `snapshots` (a folder), the server traces its allocations: a tracemalloc snapshot is taken
    at both moments too, and the result says where the difference was allocated (bench/memory.py).
    """
    if bench.sizes["warm_up"]:
        async with Workers(clients[:10], 1, bench.run_dir) as warm:
            await connect(bench, warm, 10)
            await warm.command("close")
        await asyncio.sleep(1)
    before = server.ps.memory_info().rss
    traced_before = await asyncio.to_thread(memory.snapshot, server.process, snapshots) if snapshots else None
    async with Workers(clients, process_count(bench, len(clients)), bench.run_dir) as workers:
        # Under tracemalloc every handshake is several times slower: fewer at once, so none times out.
        await connect(bench, workers, TRACED_CONCURRENCY if snapshots else bench.sizes["connect_concurrency"])
        await asyncio.sleep(bench.sizes["idle_hold"])
        after = server.ps.memory_info().rss
        traced_after = await asyncio.to_thread(memory.snapshot, server.process, snapshots) if snapshots else None
        stats = await workers.command("stats")
        await workers.command("close")
    joined = sum(1 for answer in stats for c in answer["clients"] if c["ok"])
    result = {
        "sockets": joined,
        "refused": len(clients) - joined,
        "rss_before_mib": round(before / 2**20, 1),
        "rss_after_mib": round(after / 2**20, 1),
        "kib_per_socket": round((after - before) / 1024 / joined, 1) if joined else None,
    }
    if snapshots and joined:
        result["traced"] = memory.per_socket(traced_before, traced_after, joined)
    return result


def idle_memory(bench, target, traced=False):
    """Scenario 6: server RSS per idle connected socket, on a fresh server, warm-up excluded.

    `traced` measures on a server that traces its allocations (`--trace-memory`): slower, more memory,
    and the breakdown by layer that the plain run cannot give.
    """
    count = min(bench.sizes["idle_sockets"], len(bench.attendees))
    snapshots = bench.out_dir / "tracemalloc" if traced else None
    servers = bench.traced_servers(target, snapshots) if traced else bench.servers(target)
    with servers as (server,):
        room = bench.make_room(f"idle-{target}{'-traced' if traced else ''}")
        result = asyncio.run(hold_idle(bench, server, clients_for(bench, [server], [room], count), snapshots))
    return {"target": target, "traced_run": traced, **result}


async def http_load(bench, server, path, concurrency, duration):
    url = server.base_url + path
    processes = min(2, concurrency)
    usage = Usage([server.ps])
    async with Workers([], processes, bench.run_dir) as workers:
        start = time.time() + START_DELAY
        load = asyncio.create_task(
            workers.command("http", start, duration, concurrency // processes, url, timeout=duration + 120)
        )
        await asyncio.sleep(max(0.0, start - time.time()))
        usage.begin()
        label = "http-" + path.strip("/").replace("/", "-")
        profiler = Profiler([server], bench.out_dir / "profiles", label, duration).start() if bench.profile else None
        answers = await load
        server = usage.end()
        await workers.command("close")
    latencies = [value for answer in answers for value in answer["latencies_us"]]
    statuses = {}
    for answer in answers:
        for status, count in answer["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    return {
        **({"profile": await asyncio.to_thread(profiler.finish)} if profiler else {}),
        "path": path,
        "concurrency": concurrency // processes * processes,
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / duration, 1),
        "statuses": statuses,
        **latency_summary(latencies),
        "server": server,
    }


def http(bench, target):
    """Scenario 7: the schedule page and the schedule API at concurrency 50."""
    sizes = bench.sizes
    results = []
    with bench.servers(target) as (server,):
        for path in (f"/summits/{bench.demo_slug}/schedule/", f"/api/summits/{bench.demo_slug}/schedule/"):
            try:  # warm-up; an error status shows in the load's statuses, not here
                with urllib.request.urlopen(server.base_url + path, timeout=30) as response:  # noqa: S310
                    response.read()
            except urllib.error.HTTPError as error:
                error.read()
            results.append(
                asyncio.run(http_load(bench, server, path, sizes["http_concurrency"], sizes["http_duration"]))
            )
    return {"target": target, "endpoints": results}
