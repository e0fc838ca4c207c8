"""Where an idle socket's memory goes: two tracemalloc snapshots of one server, per layer of the stack.

Used by scenario 6 under `python -m bench.run --trace-memory`: the server starts with
bench/tracing/sitecustomize.py, the scenario asks for a snapshot (SIGUSR1) before and after
the sockets connect, and this module attributes the difference to the file that allocated it,
grouped into Daphne, Twisted, autobahn, asyncio, Channels, Django and our own code.
"""

import os
import signal
import time
import tracemalloc
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
TRACING_DIR = Path(__file__).resolve().parent / "tracing"
LAYERS = [
    ("daphne", "/daphne/"),
    ("twisted", "/twisted/"),
    ("autobahn", "/autobahn/"),
    ("txaio", "/txaio/"),
    ("asyncio", "/asyncio/"),
    ("channels", "/channels/"),
    ("django", "/django/"),
    ("psycopg", "/psycopg"),
    ("redis", "/redis/"),
    ("ours (livechat, events, summit)", str(BASE_DIR)),
]
SNAPSHOT_TIMEOUT = 120


def traced_env(env, directory):
    """`env` for a server that traces its allocations and writes snapshots into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    path = os.pathsep.join(p for p in (str(TRACING_DIR), env.get("PYTHONPATH", "")) if p)
    return {**env, "PYTHONPATH": path, "BENCH_TRACEMALLOC_DIR": str(directory)}


def snapshot(process, directory):
    """Asks the server for a snapshot and loads it once written."""
    before = set(directory.glob(f"snapshot-{process.pid}-*.pickle"))
    os.kill(process.pid, signal.SIGUSR1)
    deadline = time.monotonic() + SNAPSHOT_TIMEOUT
    while time.monotonic() < deadline:
        new = set(directory.glob(f"snapshot-{process.pid}-*.pickle")) - before
        if new:
            return tracemalloc.Snapshot.load(str(new.pop()))
        time.sleep(0.2)
    raise RuntimeError(f"no tracemalloc snapshot from {process.pid} within {SNAPSHOT_TIMEOUT} s")


def layer_of(filename):
    for name, marker in LAYERS:
        if marker in filename:
            return name
    return "other (stdlib, builtins)"


def per_socket(before, after, sockets, top=12):
    """KiB per socket by layer and the biggest single allocation sites, from two snapshots."""
    noise = [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen importlib.*")]
    before, after = before.filter_traces(noise), after.filter_traces(noise)
    layers = {}
    for stat in after.compare_to(before, "filename"):
        layer = layer_of(stat.traceback[0].filename)
        layers[layer] = layers.get(layer, 0) + stat.size_diff
    lines = [
        {
            "where": f"{os.path.relpath(stat.traceback[0].filename, BASE_DIR)}:{stat.traceback[0].lineno}",
            "kib_per_socket": round(stat.size_diff / 1024 / sockets, 2),
        }
        for stat in after.compare_to(before, "lineno")[:top]
    ]
    return {
        "sockets": sockets,
        "traced_kib_per_socket": round(sum(layers.values()) / 1024 / sockets, 1),
        "layers_kib_per_socket": {
            name: round(size / 1024 / sockets, 2) for name, size in sorted(layers.items(), key=lambda kv: -kv[1])
        },
        "top_lines": lines,
    }
