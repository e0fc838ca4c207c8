"""Where the server's time goes: py-spy sampling Daphne during a measured phase (`--profile`).

Off by default, because a sampler beside the server on two cores changes the
numbers it explains. Each profile is kept as py-spy's collapsed stacks under
var/bench/profiles/ and summarised by package and by function (self time).
"""

import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench.processes import stop_group

RATE = 100
TOP = 12
LINE_NUMBER = re.compile(r":\d+\)$")
OURS = re.compile(r"[(/](?:livechat|events|scheduler|summit|bench)/[\w/]*\.py\)$")
PACKAGE = re.compile(r"\((?:.*/site-packages/|.*/lib/python3\.\d+/)?([A-Za-z_][\w]*)")


def py_spy():
    found = shutil.which("py-spy") or Path(sys.executable).with_name("py-spy")
    if not Path(found).exists():
        raise SystemExit("--profile needs py-spy (pip install py-spy, in requirements-dev.txt)")
    return str(found)


class Profiler:
    def __init__(self, servers, out_dir, label, seconds):
        self.servers = servers
        self.paths = [Path(out_dir) / f"{label}-{server.port}.txt" for server in servers]
        self.seconds = seconds
        self.processes = []

    def start(self):
        Path(self.paths[0]).parent.mkdir(parents=True, exist_ok=True)
        for server, path in zip(self.servers, self.paths, strict=True):
            self.processes.append(
                subprocess.Popen(
                    [
                        py_spy(),
                        "record",
                        "--pid",
                        str(server.process.pid),
                        "--duration",
                        str(int(self.seconds) + 1),
                        "--rate",
                        str(RATE),
                        "--format",
                        "raw",
                        "--nonblocking",
                        "--output",
                        str(path),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
        return self

    def stop(self):
        """Stop sampling now (py-spy writes what it has on SIGINT): a phase shorter than `seconds` ended."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        return self

    def finish(self):
        for process in self.processes:
            try:
                process.wait(self.seconds + 30)
            except subprocess.TimeoutExpired:
                stop_group(process)
        return summarise([p for p in self.paths if p.exists()])


def summarise(paths):
    """Self time by package and by function, and the platform's own functions' inclusive time, in percent."""
    by_function, by_package, ours = Counter(), Counter(), Counter()
    total = 0
    for path in paths:
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            frames = [LINE_NUMBER.sub(")", frame) for frame in stack.split(";")]
            package = PACKAGE.search(frames[-1])
            by_function[frames[-1]] += int(count)
            by_package[package.group(1) if package else "?"] += int(count)
            for frame in set(frames):
                if OURS.search(frame):
                    ours[frame] += int(count)
            total += int(count)
    if not total:
        return {"files": [str(p) for p in paths], "samples": 0}

    def share(counter):
        return [[name, round(100 * count / total, 1)] for name, count in counter.most_common(TOP)]

    return {
        "files": [str(p) for p in paths],
        "samples": total,
        "by_package": share(by_package),
        "by_function": share(by_function),
        "ours_inclusive": share(ours),
    }
