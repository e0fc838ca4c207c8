#!/usr/bin/env python3
"""A small process supervisor for `make run`: each "name: command" argument is one process kept running.

    supervise.py "web: daphne ..." "worker: celery -A summit worker" ...

A process that exits, whatever the reason, is reported and started again,
after a pause that doubles with each quick death (1 s up to 30 s) and resets
once it has stayed up for a minute. Ctrl-C (SIGINT) or SIGTERM stops them all:
each gets SIGTERM, then SIGKILL if it is still there after STOP_GRACE seconds.

Each process runs in its own process group, so the terminal's Ctrl-C reaches
the supervisor only and the shutdown is orderly, and the group (a Celery
worker's pool too) is signalled as one: when a process dies, whatever it left
running in its group is killed before it starts again. On Linux a process also gets SIGTERM
should the supervisor itself die.
"""

import contextlib
import ctypes
import os
import shlex
import signal
import subprocess
import sys
import time

FIRST_DELAY = 1.0
MAX_DELAY = 30.0
STEADY_AFTER = 60.0  # seconds up after which a death counts as the first again
STOP_GRACE = 10.0
POLL = 0.2
PR_SET_PDEATHSIG = 1


def say(text):
    print(f"supervise: {text}", flush=True)


def _die_with_parent():
    """In the child, before exec: receive SIGTERM if the supervisor dies (Linux only)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def describe(returncode):
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exited with status {returncode}"


class Supervised:
    def __init__(self, name, argv):
        self.name = name
        self.argv = argv
        self.process = None
        self.started_at = 0.0
        self.delay = FIRST_DELAY
        self.restart_at = 0.0

    def start(self):
        self.process = subprocess.Popen(self.argv, start_new_session=True, preexec_fn=_die_with_parent)
        self.started_at = time.monotonic()
        say(f"started {self.name} (pid {self.process.pid})")

    def check(self, now):
        """Notice a death and plan the restart; start again once the pause is over."""
        if self.process is not None:
            returncode = self.process.poll()
            if returncode is None:
                return
            if now - self.started_at >= STEADY_AFTER:
                self.delay = FIRST_DELAY
            say(f"{self.name} (pid {self.process.pid}) {describe(returncode)}; restarting in {self.delay:.0f}s")
            self.signal_group(self.process.pid, signal.SIGKILL)  # what it left behind (a worker's pool) goes too
            self.process = None
            self.restart_at = now + self.delay
            self.delay = min(self.delay * 2, MAX_DELAY)
        elif now >= self.restart_at:
            self.start()

    def signal(self, signum):
        if self.process is not None and self.process.poll() is None:
            self.signal_group(self.process.pid, signum)

    @staticmethod
    def signal_group(pid, signum):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signum)

    def running(self):
        return self.process is not None and self.process.poll() is None


def parse(arguments):
    processes = []
    for argument in arguments:
        name, sep, command = argument.partition(":")
        if not sep or not name.strip() or not command.strip():
            sys.exit(f'supervise: expected "name: command", got {argument!r}')
        processes.append(Supervised(name.strip(), shlex.split(command)))
    return processes


def main(arguments):
    processes = parse(arguments)
    stopping = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda signum, frame: stopping.append(signum))
    for process in processes:
        process.start()
    while not stopping:
        time.sleep(POLL)
        now = time.monotonic()
        for process in processes:
            process.check(now)
    say("stopping " + ", ".join(process.name for process in processes if process.running()))
    for process in processes:
        process.signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE
    while any(process.running() for process in processes) and time.monotonic() < deadline:
        time.sleep(POLL)
    for process in processes:
        if process.running():
            say(f"{process.name} did not stop within {STOP_GRACE:.0f}s: killed")
            process.signal(signal.SIGKILL)
            process.process.wait()
        if process.process is not None:
            process.signal_group(process.process.pid, signal.SIGKILL)  # nothing of it outlives the supervisor
    say("all stopped")


if __name__ == "__main__":
    main(sys.argv[1:])
