"""Turns what the load generators saw into the numbers of the report."""


def percentile(ordered, fraction):
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def latency_summary(latencies_us):
    ordered = sorted(latencies_us)

    def ms(value):
        return None if value is None else round(value / 1000, 2)

    return {
        "p50_ms": ms(percentile(ordered, 0.50)),
        "p95_ms": ms(percentile(ordered, 0.95)),
        "p99_ms": ms(percentile(ordered, 0.99)),
        "max_ms": ms(ordered[-1] if ordered else None),
    }


def delivery_summary(stats, duration):
    """Merges every worker's `stats` answer: latencies, and lost/duplicated/out-of-order by seq.

    A client expects every seq anyone in its room received after the `last_seq`
    of its own `room.state`; a message no client received at all still shows,
    as an unacknowledged send.
    """
    room_seqs = {}
    for answer in stats:
        for room, seqs in answer["seqs"].items():
            room_seqs.setdefault(room, set()).update(seqs)
    clients = [client for answer in stats for client in answer["clients"]]
    latencies = [value for answer in stats for value in answer["latencies_us"]]
    joined = [c for c in clients if c["ok"]]
    lost = 0
    for client in joined:
        expected = sum(1 for seq in room_seqs.get(client["room"], ()) if seq > (client["joined_seq"] or 0))
        lost += max(0, expected - client["received"])
    errors = {}
    for client in clients:
        for code, count in client["errors"].items():
            errors[code] = errors.get(code, 0) + count
    return {
        **latency_summary(latencies),
        "deliveries": len(latencies),
        "deliveries_per_s": round(len(latencies) / duration, 1) if duration else None,
        "sent": sum(c["sent"] for c in clients),
        "unacknowledged": sum(c["unacknowledged"] for c in clients),
        "lost": lost,
        "duplicated": sum(c["duplicates"] for c in clients),
        "out_of_order": sum(c["out_of_order"] for c in clients),
        "refused": sum(1 for c in clients if not c["ok"]),
        "dropped": sum(1 for c in joined if c["closed_early"] is not None),
        "errors": errors,
        "failures": sorted({c["failure"] for c in clients if c["failure"]})[:5],
    }


def join_summary(clients):
    joins = sorted(c["join_ms"] for c in clients if c["join_ms"] is not None)

    def ms(value):
        return None if value is None else round(value, 1)

    return {
        "join_p50_ms": ms(percentile(joins, 0.50)),
        "join_p99_ms": ms(percentile(joins, 0.99)),
        "join_max_ms": ms(joins[-1] if joins else None),
    }
