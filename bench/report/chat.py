"""The chat scenarios' tables: the ramp, many rooms, bursts, crowds, join storms, several processes."""

from bench.report.format import GENERATOR_NOTE_CORES, TARGET_P99_MS, entries, fmt, not_run, table

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


def crowd_section(result, label):
    if not result or not_run(result):
        return f"{label}: {(not_run(result) if result else None) or 'not run'}"
    return (
        f"{chat_section(result, label)}\n\nOn {result['servers']} Daphne processes behind one Redis, sockets "
        f"split evenly. Server CPU per delivery {fmt(result['server_cpu_us_per_delivery'])} µs; load generator "
        f"CPU per received frame {fmt(result.get('generator_cpu_us_per_frame'))} µs."
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
