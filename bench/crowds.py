"""Scenarios of issue 23: 10,000 attendees in one room, and 20 rooms of 500, on two Daphne processes.

Both are scenario 1's chat load (bench.scenarios.chat_load) at sizes where the load generator,
not the server, used to set the ceiling on this machine: the generator's CPU per received frame
is reported beside the server's per delivery, so a reader sees which of the two was the limit.
"""

import asyncio

from bench.scenarios import SENDER_RATE, chat_load, clients_for, process_count, senders_for


def crowd(bench, target, rooms, per_room, rate_per_room, duration):
    count = min(rooms * per_room, len(bench.attendees))
    with bench.servers(target, count=bench.sizes["crowd_servers"]) as servers:
        slugs = [bench.make_room(f"crowd-{target}-{rooms}x{per_room}-{n}") for n in range(rooms)]
        clients = clients_for(bench, servers, slugs, count, senders_for(rate_per_room))
        result = asyncio.run(chat_load(bench, servers, clients, process_count(bench, count), SENDER_RATE, duration))
    return {"target": target, "rooms": rooms, "servers": len(servers), **result}


def one_big_room(bench, target):
    """10,000 attendees in one room, split over two Daphne processes, 10 messages/s."""
    sizes = bench.sizes
    result = crowd(bench, target, 1, sizes["crowd_attendees"], sizes["crowd_rate"], sizes["crowd_duration"])
    bench.log(f"crowd {result['attendees']}: p99 {result['p99_ms']} ms, lost {result['lost']}")
    return result


def many_big_rooms(bench, target):
    """20 rooms × 500 attendees over two Daphne processes, each room at its own chat rate."""
    sizes = bench.sizes
    result = crowd(
        bench,
        target,
        sizes["crowd_rooms"],
        sizes["crowd_room_attendees"],
        sizes["crowd_room_rate"],
        sizes["crowd_duration"],
    )
    bench.log(f"{sizes['crowd_rooms']} rooms × {sizes['crowd_room_attendees']}: p99 {result['p99_ms']} ms")
    return result
