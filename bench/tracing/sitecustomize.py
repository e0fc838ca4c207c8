"""Imported by Python at start-up in a server the bench runs with `--trace-memory` (this folder is put first on
its PYTHONPATH): starts tracemalloc and writes a snapshot to BENCH_TRACEMALLOC_DIR on each SIGUSR1.

Not part of a normal run: tracemalloc itself roughly doubles the cost of every allocation.
"""

import os
import signal
import tracemalloc

_directory = os.environ.get("BENCH_TRACEMALLOC_DIR")

if _directory:
    tracemalloc.start(int(os.environ.get("BENCH_TRACEMALLOC_FRAMES", "4")))
    _taken = [0]

    def _snapshot(signum, frame):
        path = os.path.join(_directory, f"snapshot-{os.getpid()}-{_taken[0]}.pickle")
        _taken[0] += 1
        tracemalloc.take_snapshot().dump(path + ".part")
        os.replace(path + ".part", path)  # appears whole, so the bench can wait for it

    signal.signal(signal.SIGUSR1, _snapshot)
