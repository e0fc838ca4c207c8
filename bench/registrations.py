"""Scenario: a registration storm before the keynote, with the sign-in links mailed by a real Celery worker.

Two phases of `registration_storm` people each, spread evenly over `registration_window`
seconds, every request on a new connection as a new visitor's browser makes it:
- *new*: addresses nobody has registered: 201, an account, a registration and a session;
- *known*: addresses that already have an account (the bench's attendees): 202, and a
  single-use sign-in link mailed by the worker once the request commits.

The worker sends through Django's file backend into the run's folder, and every sign-in mail is
read back: each known address must get exactly one, no new address any (the worker also sends
what earlier scenarios queued, such as a meeting's notices; those are not counted). Each visitor first GETs
the CSRF cookie, as the registration page does, then POSTs; the POST alone is timed. The registration throttle
(THROTTLE_REGISTRATION, per client) is raised for this server: every request comes from
127.0.0.1 here, where a real storm comes from a thousand clients.
"""

import asyncio
import contextlib
import email
import email.policy
import os
import subprocess
import sys
import time
from collections import Counter

from bench.metrics import latency_summary
from bench.processes import BASE_DIR, Usage, Workers, daphnes, stop_group

WORKER_READY_TIMEOUT = 90
SIGNIN_PATH = "/signin/"  # events/urls.py's signin-link, in every sign-in mail
START_DELAY = 1.0


@contextlib.contextmanager
def celery_worker(env, log_path):
    """A Celery worker as scripts/run starts it, returned once it says it is ready, always stopped."""
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "summit", "worker", "--loglevel=INFO", "--concurrency=2"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + WORKER_READY_TIMEOUT
        while " ready." not in log_path.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Celery worker did not start, see {log_path}")
            time.sleep(0.3)
        yield process
    finally:
        stop_group(process)


def mails_sent(folder):
    """Recipients of every sign-in mail Django's file backend wrote into `folder`, one entry per mail.

    The worker also sends whatever else earlier scenarios queued (a meeting's notices, say): only the
    mails that carry a sign-in link (SIGNIN_PATH in their text) are this scenario's.
    """
    separator = b"\n" + b"-" * 79 + b"\n"
    recipients = []
    for path in sorted(folder.glob("*")):
        for chunk in path.read_bytes().split(separator):
            if not chunk.strip():
                continue
            mail = email.message_from_bytes(chunk, policy=email.policy.default)
            text = mail.get_body(("plain",))
            if text is not None and SIGNIN_PATH in text.get_content():
                recipients.append(mail["To"])
    return recipients


async def storm_phase(bench, server, people):
    url = f"{server.base_url}/api/summits/{bench.summit_slug}/registrations/"
    window = bench.sizes["registration_window"]
    usage = Usage([server.ps])
    async with Workers([], 2, bench.run_dir) as workers:
        start = time.time() + START_DELAY
        halves = [people[0::2], people[1::2]]
        load = [
            asyncio.create_task(workers.command_one(n, "register", start, window, url, half, timeout=window + 120))
            for n, half in enumerate(halves)
        ]
        await asyncio.sleep(max(0.0, start - time.time()))
        usage.begin()
        answers = await asyncio.gather(*load)
        server_usage = usage.end()
        await workers.command("close")
    statuses = Counter()
    for answer in answers:
        statuses.update(answer["statuses"])
    latencies = [value for answer in answers for value in answer["latencies_us"]]
    return {
        "requests": len(latencies),
        "statuses": dict(statuses),
        "window_s": window,
        **latency_summary(latencies),
        "server": server_usage,
    }


def registration_storm(bench, target):
    sizes = bench.sizes
    count = min(sizes["registration_storm"], len(bench.attendees))
    mail_dir = bench.out_dir / "registration-mail"
    mail_dir.mkdir(parents=True, exist_ok=True)
    for old in mail_dir.glob("*"):
        old.unlink()
    env = {
        **bench.env,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "THROTTLE_REGISTRATION": f"{count * 100}/h",
    }
    nonce = os.urandom(4).hex()
    new = [{"name": f"Storm {n}", "email": f"storm-{nonce}-{n}@loadtest.invalid"} for n in range(count)]
    known = [{"name": f"Known {n}", "email": a["email"]} for n, a in enumerate(bench.attendees[:count])]
    with (
        celery_worker(env, bench.log_dir / "registration-worker.log"),
        daphnes(bench.apps[target], env, bench.log_dir) as (server,),
    ):
        phases = {"new": asyncio.run(storm_phase(bench, server, new))}
        mailed_after_new = len(mails_sent(mail_dir))
        started = time.monotonic()
        phases["known"] = asyncio.run(storm_phase(bench, server, known))
        # Every link is mailed once the worker gets to it: wait for all of them, then a little
        # longer, so a second copy of any would be counted too.
        deadline = time.monotonic() + sizes["mail_timeout"]
        while len(mails_sent(mail_dir)) < mailed_after_new + count and time.monotonic() < deadline:
            time.sleep(0.5)
        all_mailed_s = round(time.monotonic() - started, 1)
        time.sleep(sizes["mail_settle"])
    recipients = Counter(mails_sent(mail_dir))  # a Counter: an address never mailed counts 0
    expected = {person["email"] for person in known}
    return {
        "target": target,
        "people": count,
        "phases": phases,
        "mails": sum(recipients.values()),
        "known_mailed_once": sum(1 for address in expected if recipients[address] == 1),
        "known_not_mailed": sum(1 for address in expected if recipients[address] == 0),
        "known_mailed_twice_or_more": sum(1 for address in expected if recipients[address] > 1),
        # Mails to the new addresses (none is due: they were signed in); other tasks' mail is not counted.
        "other_mails": sum(recipients[person["email"]] for person in new),
        "mails_done_after_s": all_mailed_s,
    }
