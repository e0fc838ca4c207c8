"""The processes a benchmark starts: Daphne servers and load-generator workers.

Each runs in its own process group and is stopped by the context manager that
started it, whatever happens (SIGTERM, then SIGKILL after a grace period), so
a failed or interrupted run leaves nothing behind.
"""

import asyncio
import contextlib
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

BASE_DIR = Path(__file__).resolve().parent.parent
STOP_GRACE = 10
START_TIMEOUT = 60
COMMAND_TIMEOUT = 300


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_group(process, grace=STOP_GRACE):
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(grace)


def raise_fd_limit():
    """Thousands of sockets need more descriptors than a shell's default soft limit."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Daphne:
    """One Daphne process serving `application` on a free port of 127.0.0.1."""

    def __init__(self, application, env, log_dir, start_timeout=START_TIMEOUT):
        self.application = application
        self.start_timeout = start_timeout
        self.env = env
        self.port = free_port()
        self.log_path = Path(log_dir) / f"daphne-{self.port}.log"
        self.process = None

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        log = open(self.log_path, "wb")  # noqa: SIM115  (closed with the process in stop())
        self.log = log
        self.process = subprocess.Popen(
            # What scripts/run serves (summit.serve: Daphne with its websocket failures ending cleanly) and its
            # flags, plus a listen backlog big enough for a join storm.
            [
                sys.executable,
                "-m",
                "summit.serve",
                "-e",
                f"tcp:port={self.port}:interface=127.0.0.1:backlog=4096",
                "--websocket-max-message-size",
                "65536",
                "--websocket-max-frame-size",
                "65536",
                self.application,
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=raise_fd_limit,
        )
        self.ps = psutil.Process(self.process.pid)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Daphne exited at start-up, see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/api/summits/", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"Daphne did not answer within {self.start_timeout} s, see {self.log_path}")

    def stop(self):
        if self.process is not None:
            stop_group(self.process)
            self.log.close()


@contextlib.contextmanager
def daphnes(application, env, log_dir, count=1, start_timeout=START_TIMEOUT):
    servers = [Daphne(application, env, log_dir, start_timeout) for _ in range(count)]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


class ServerPool:
    """Daphne processes for the scenarios: fresh for each one, or kept for the whole (smoke) run.

    A fresh set keeps one scenario's memory and backlog out of the next one's
    numbers; the smoke run, which only checks that the harness works, saves
    the start-ups.
    """

    def __init__(self, env, log_dir, reuse):
        self.env = env
        self.log_dir = log_dir
        self.reuse = reuse
        self.kept = {}

    @contextlib.contextmanager
    def __call__(self, application, count=1):
        if not self.reuse:
            with daphnes(application, self.env, self.log_dir, count) as servers:
                yield servers
            return
        if (application, count) not in self.kept:
            servers = [Daphne(application, self.env, self.log_dir) for _ in range(count)]
            self.kept[application, count] = servers  # kept before starting, so close() stops a half-started set
            for server in servers:
                server.start()
        yield self.kept[application, count]

    def close(self):
        for servers in self.kept.values():
            for server in servers:
                server.stop()


class Usage:
    """CPU seconds and peak RSS of some processes over a measured phase."""

    def __init__(self, processes):
        self.processes = processes
        self.cpu = None
        self.per_process = {}
        self.peak_rss = 0
        self.started = None

    @staticmethod
    def cpu_of(process):
        try:
            times = process.cpu_times()
        except psutil.Error:
            return 0.0
        return times.user + times.system

    def cpu_now(self):
        return sum(self.cpu_of(p) for p in self.processes)

    def rss_now(self):
        total = 0
        for process in self.processes:
            with contextlib.suppress(psutil.Error):
                total += process.memory_info().rss
        return total

    def begin(self):
        self.started = time.monotonic()
        self.per_process = {p.pid: self.cpu_of(p) for p in self.processes}
        self.cpu = sum(self.per_process.values())
        self.peak_rss = self.rss_now()

    def sample(self):
        self.peak_rss = max(self.peak_rss, self.rss_now())

    def end(self):
        self.sample()
        wall = time.monotonic() - self.started
        cpu = self.cpu_now() - self.cpu
        busiest = max((self.cpu_of(p) - self.per_process.get(p.pid, 0.0) for p in self.processes), default=0.0)
        return {
            "cpu_s": round(cpu, 3),
            "wall_s": round(wall, 3),
            "cpu_cores": round(cpu / wall, 3) if wall else 0,
            "busiest_process_cores": round(busiest / wall, 3) if wall else 0,
            "peak_rss_mib": round(self.peak_rss / 2**20, 1),
            "processes": len(self.processes),
        }


async def sampling(usage, interval=0.5):
    """Samples RSS until cancelled."""
    with contextlib.suppress(asyncio.CancelledError):
        while True:
            usage.sample()
            await asyncio.sleep(interval)


class Workers:
    """Load-generator processes, each given a share of the clients, driven by one command at a time."""

    def __init__(self, clients, process_count, run_dir):
        self.specs = [{"clients": clients[i::process_count]} for i in range(process_count)]
        self.run_dir = Path(run_dir)
        self.processes = []

    async def __aenter__(self):
        for number, spec in enumerate(self.specs):
            path = self.run_dir / f"worker-{number}.json"
            path.write_text(json.dumps(spec))
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench.loadgen",
                str(path),
                cwd=BASE_DIR,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                start_new_session=True,
                limit=2**28,
            )
            self.processes.append(process)
        self.ps = [psutil.Process(p.pid) for p in self.processes]
        return self

    async def __aexit__(self, *exc):
        for process in self.processes:
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                await asyncio.wait_for(process.wait(), STOP_GRACE)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                await process.wait()

    async def command(self, name, *args, first_only=False, timeout=COMMAND_TIMEOUT):
        """Sends one command to every worker (or the first) at once and returns their answers."""
        processes = self.processes[:1] if first_only else self.processes
        return await asyncio.wait_for(asyncio.gather(*(self._ask(p, name, args) for p in processes)), timeout)

    async def command_one(self, number, name, *args, timeout=COMMAND_TIMEOUT):
        """Sends one command to worker `number` alone (each its own share of a load) and returns its answer."""
        return await asyncio.wait_for(self._ask(self.processes[number], name, args), timeout)

    @staticmethod
    async def _ask(process, name, args):
        process.stdin.write(f"{name} {json.dumps(list(args))}\n".encode())
        await process.stdin.drain()
        raw = await process.stdout.readline()
        if not raw:
            raise RuntimeError(f"load generator {process.pid} exited during {name!r}")
        return json.loads(raw)
