"""`make bench` and `make bench-smoke`: run every scenario, keep the raw JSON, write the report.

    python -m bench.run            # full size; writes docs/benchmarks.md, docs/bench-p99.svg, var/bench/
    python -m bench.run --smoke    # tiny; writes var/bench/smoke/ only

Environment: REDIS_URL (default redis://127.0.0.1:6379/0, required: the
production shape), DATABASE_URL (default a fresh SQLite file beside the raw
JSON), VAR_DIR. The servers run with DEBUG off; the bench summit, its rooms and
the load-test attendees are recreated on every run.
"""

import argparse
import datetime as dt
import io
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench import ballots, calls, crowds, registrations, scenarios, stage_latency, storage
from bench.processes import ServerPool

BASE_DIR = Path(__file__).resolve().parent.parent
SUMMIT_SLUG = "bench"
DEMO_SLUG = "sophia-qingdao-ai-ict-roadshow"
APPS = {"real": "summit.asgi:application", "textbook": "bench.textbook_asgi:application"}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="every scenario at a tiny size (under a minute)")
    parser.add_argument("--out", help="directory for raw JSON (default var/bench or var/bench/smoke)")
    parser.add_argument(
        "--docs", help="where to write the Markdown report (default docs/benchmarks.md; none for --smoke unless given)"
    )
    parser.add_argument(
        "--target",
        choices=sorted(APPS),
        default="real",
        help="the consumer scenarios 2-7 run against (scenario 1 always runs against both)",
    )
    parser.add_argument("--only", nargs="*", choices=list(PLAN), help="run only these scenarios")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the other scenarios' results from the last run's results.json in --out (with --only)",
    )
    parser.add_argument("--ramp", nargs="+", type=int, help="attendee counts of scenario 1 instead of the default")
    parser.add_argument(
        "--ramp-designs",
        nargs="+",
        choices=sorted(APPS),
        default=sorted(APPS),
        help="which designs scenario 1 ramps (default both)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample the server with py-spy during scenarios 1, 2, 3, 4, 5 and 7 (perturbs their numbers)",
    )
    parser.add_argument(
        "--trace-memory",
        action="store_true",
        help="scenario 6 once more on a server under tracemalloc: where each idle socket's memory goes",
    )
    return parser.parse_args(argv)


def bench_env(out_dir):
    env = dict(os.environ)
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    env.setdefault("DATABASE_URL", f"sqlite:///{out_dir / 'bench.sqlite3'}")
    env.setdefault("VAR_DIR", str(BASE_DIR / "var"))
    # As docker-compose.yml, the production topology, sets it (used on PostgreSQL).
    env.setdefault("DB_POOL_MAX", "20")
    # DEBUG=0 needs a key shared by every process of the run (settings refuse to start without one).
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    # Two runs sharing one Redis (say a full run and a --trace-memory one) set different prefixes.
    env.setdefault("REDIS_KEY_PREFIX", "bench")
    env.setdefault("CACHE_KEY_PREFIX", "bench")
    env.update(
        DEBUG="0",
        HTTPS="0",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="summit.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def check_redis(url):
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=3).ping()
    except redis.RedisError as error:
        raise SystemExit(f"The benchmark needs Redis (REDIS_URL={url}): {error}") from None


def manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True, stdout=subprocess.DEVNULL, timeout=600
    )


class Bench:
    """What every scenario shares: sizes, environment, attendees, and the few database look-ups it needs."""

    def __init__(self, sizes, env, out_dir, attendees, real_available, profile=False, trace_memory=False):
        self.sizes = sizes
        self.env = env
        self.out_dir = out_dir
        self.run_dir = out_dir / "run"
        self.log_dir = out_dir / "logs"
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.attendees = attendees
        self.profile = profile
        self.trace_memory = trace_memory
        self.real_available = real_available
        self.apps = APPS
        self.pool = ServerPool(env, self.log_dir, reuse=sizes["reuse_servers"])
        self.summit_slug = SUMMIT_SLUG
        self.demo_slug = DEMO_SLUG
        self.load_average = {}  # scenario -> the machine's 1/5/15-minute load averages before and after it

    def servers(self, target, count=1):
        return self.pool(self.apps[target], count)

    def traced_servers(self, target, snapshots):
        """One fresh server that traces its allocations and writes tracemalloc snapshots into `snapshots`."""
        from bench.memory import traced_env
        from bench.processes import daphnes

        # Under tracemalloc the imports alone take minutes on a loaded machine.
        return daphnes(self.apps[target], traced_env(self.env, snapshots), self.log_dir, start_timeout=600)

    def log(self, message):
        print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)

    def make_room(self, slug):
        from events.models import Room, Summit

        Room.objects.create(summit=Summit.objects.get(slug=SUMMIT_SLUG), slug=slug, name=slug, kind=Room.Kind.STAGE)
        return slug

    def last_seqs(self, rooms):
        """Each room's last stored seq, from the database."""
        from livechat.models import RoomLog

        return dict(
            RoomLog.objects.filter(room__summit__slug=SUMMIT_SLUG, room__slug__in=rooms).values_list(
                "room__slug", "last_seq"
            )
        )

    def time_report_build(self, summit_slug):
        """Seconds for scheduler.reports.build_report on that summit, in this process (None without it)."""
        from events.models import Summit

        try:
            from scheduler.reports import build_report
        except ImportError:
            return None
        summit = Summit.objects.get(slug=summit_slug)
        started = time.monotonic()
        build_report(summit)
        return round(time.monotonic() - started, 3)

    def vote_counts(self, ids):
        """(votes field per question, QuestionVote rows per question), straight from the database."""
        from django.db.models import Count

        from livechat.models import Question, QuestionVote

        counted = dict(Question.objects.filter(pk__in=ids).values_list("pk", "votes"))
        recorded = dict(
            QuestionVote.objects.filter(question_id__in=ids).values_list("question_id").annotate(n=Count("id"))
        )
        return counted, recorded

    def open_poll(self, room_slug, option_count):
        """A single-choice poll opened in the room by the bench's moderator, through the live rules."""
        from django.contrib.auth import get_user_model

        from events.models import Registration, Summit
        from livechat import polls, services

        moderator, _created = get_user_model().objects.get_or_create(
            username="bench-moderator", defaults={"email": "bench-moderator@loadtest.invalid"}
        )
        Registration.objects.get_or_create(
            summit=Summit.objects.get(slug=SUMMIT_SLUG), user=moderator, defaults={"role": Registration.Role.MODERATOR}
        )
        access = services.access_live_room(moderator, SUMMIT_SLUG, room_slug)
        labels = [f"Option {n + 1}" for n in range(option_count)]
        created = polls.do_create_poll(moderator.pk, access["room_id"], access["kind"], "Bench poll?", labels)
        event = created["event"]
        return {"id": event["id"], "room_id": access["room_id"], "option_ids": [o["id"] for o in event["options"]]}

    def poll_counts(self, poll):
        """(votes per option id, voters) as the room would be told now, counted from the ballots."""
        from livechat import polls

        (results,) = polls.poll_results(poll["room_id"], [poll["id"]])
        return {o["id"]: o["votes"] for o in results["options"]}, results["voters"]


def prepare(env, out_dir, count):
    """Migrates, seeds the demo summit, recreates the bench summit and makes `count` attendees.

    The attendees come from the contract's `make_attendees` command, run as its own process.
    """
    import datetime

    from django.core.management import call_command

    from bench.attendance_data import delete_report_summit
    from bench.attendees import do_delete_attendees
    from events.models import Summit

    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    delete_report_summit()
    Summit.objects.filter(slug=SUMMIT_SLUG).delete()
    do_delete_attendees()
    today = datetime.date.today()
    Summit.objects.create(
        slug=SUMMIT_SLUG, name="Benchmark summit", timezone="UTC", languages=["en"], starts_on=today, ends_on=today
    )
    path = out_dir / "attendees.jsonl"
    manage(env, "make_attendees", SUMMIT_SLUG, str(count), "--out", str(path), "--force")
    return [json.loads(line) for line in path.read_text().splitlines()]


def attendees_needed(sizes):
    return max(
        max(sizes["ramp"]),
        sizes["processes_attendees"],
        sizes["rooms"] * sizes["room_attendees"],
        sizes["burst_attendees"],
        sizes["join_storm"],
        sizes["vote_attendees"],
        sizes["poll_voters"],
        sizes["idle_sockets"],
        sizes["registration_storm"],
        sizes["crowd_attendees"],
        sizes["crowd_rooms"] * sizes["crowd_room_attendees"],
    )


NOT_MERGED = "not run: the real consumer (livechat) is not merged yet"


def ramp(bench, target):
    designs = [t for t in ("real", "textbook") if t in bench.ramp_designs and (bench.real_available or t != "real")]
    missing = [] if bench.real_available else [{"target": "real", "not_run": NOT_MERGED}]
    return [scenarios.one_room_ramp(bench, t) for t in designs] + missing


def real_only(scenario, why):
    """`scenario` against the real consumer; the textbook one has no such feature (`why`)."""
    return lambda bench, target: scenario(bench, target) if target == "real" else {"not_run": why}


def idle(bench, target):
    designs = [t for t in dict.fromkeys([target, "textbook"]) if t == "textbook" or bench.real_available]
    plain = [scenarios.idle_memory(bench, t) for t in designs]
    if not bench.trace_memory:
        return plain
    try:
        return [*plain, scenarios.idle_memory(bench, target, traced=True)]
    except Exception as error:  # noqa: BLE001  (the plain figures stand without the breakdown)
        return [*plain, {"target": target, "traced_run": True, "failed": f"{type(error).__name__}: {error}"}]


def http(bench, target):
    return scenarios.http(bench, target if bench.real_available else "textbook")


# Every scenario, in run order: name -> function(bench, target) returning a JSON-able dict or list.
# Adding one is one line here (and its section in bench/report/).
PLAN = {
    "ramp": ramp,
    "rooms": scenarios.many_rooms,
    "burst": scenarios.burst,
    "join_storm": lambda bench, target: [scenarios.join_storm(bench, target, n) for n in (1, 2)],
    "votes": real_only(ballots.vote_storm, "the textbook consumer has no Q&A"),
    "polls": real_only(ballots.poll_storm, "the textbook consumer has no Q&A or polls"),
    "idle": idle,
    "http": http,
    "report": storage.attendance_report,
    "store": storage.store_rate,
    "stage_latency": lambda bench, target: stage_latency.scenario(bench),
    "calls": lambda bench, target: calls.scenario(bench),
    "registrations": registrations.registration_storm,
    "crowd": crowds.one_big_room,
    "room_crowds": crowds.many_big_rooms,
    # Last: the run's time budget may leave them out.
    "processes": scenarios.processes_room,
}
# What runs against the textbook consumer too, when the real one is missing.
WITHOUT_REAL = {"ramp", "http", "report", "idle", "store", "registrations"}


def run_scenarios(bench, target, only):
    wanted = set(only or PLAN)
    real_ok = target == "textbook" or bench.real_available
    plan = [(name, lambda scenario=scenario: scenario(bench, target)) for name, scenario in PLAN.items()]
    results = {}
    run_started = time.monotonic()
    for name, scenario in plan:
        if name not in wanted:
            continue
        bench.log(f"scenario {name}")
        started = time.monotonic()
        load_before = os.getloadavg()
        if started - run_started > bench.sizes["budget_s"]:
            results[name] = {"not_run": f"the run's time budget of {bench.sizes['budget_s']} s was used up"}
        elif not real_ok and name not in WITHOUT_REAL:
            results[name] = {"not_run": NOT_MERGED}
        else:
            try:
                results[name] = scenario()
            except Exception as error:  # noqa: BLE001  (one broken scenario must not hide the others' numbers)
                results[name] = {"failed": f"{type(error).__name__}: {error}"}
                bench.log(f"scenario {name} failed: {error}")
        # The machine is shared: what else ran shows in the load average (the bench's own processes included).
        bench.load_average[name] = {
            "before": [round(v, 2) for v in load_before],
            "after": [round(v, 2) for v in os.getloadavg()],
        }
        bench.log(f"scenario {name} took {time.monotonic() - started:.1f} s, load average {os.getloadavg()[0]:.2f}")
        (bench.out_dir / f"{name}.json").write_text(json.dumps(results[name], indent=2))
    return results


def stop_on_sigterm(signum, frame):
    """SIGTERM unwinds like Ctrl-C, so every server and generator started is stopped on the way out."""
    raise KeyboardInterrupt


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    from bench.sizes import FULL, SMOKE

    sizes = dict(SMOKE if args.smoke else FULL)
    if args.ramp:
        sizes["ramp"] = sorted(args.ramp)
    out_dir = Path(args.out or BASE_DIR / "var" / "bench" / ("smoke" if args.smoke else "")).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    env = bench_env(out_dir)
    check_redis(env["REDIS_URL"])
    if args.profile:
        from bench.profiling import py_spy

        py_spy()
    os.environ.update(env)
    import django

    django.setup()
    from bench.report import machine, write_report
    from livechat.routing import websocket_urlpatterns

    started = time.monotonic()
    attendees = prepare(env, out_dir, attendees_needed(sizes))
    bench = Bench(
        sizes,
        env,
        out_dir,
        attendees,
        real_available=bool(websocket_urlpatterns),
        profile=args.profile,
        trace_memory=args.trace_memory,
    )
    bench.ramp_designs = args.ramp_designs
    bench.log(f"{len(attendees)} attendees ready; real consumer {'found' if bench.real_available else 'missing'}")
    results = {
        "smoke": args.smoke,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(env),
        "sizes": sizes,
        "target": args.target,
        "profiled": args.profile,
        "command": "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:]),
    }
    try:
        results["scenarios"] = run_scenarios(bench, args.target, args.only)
    finally:
        bench.pool.close()
    results["load_average"] = bench.load_average
    results["total_s"] = round(time.monotonic() - started, 1)
    previous_path = out_dir / "results.json"
    if args.merge and previous_path.exists():
        # The report then covers every scenario and says which came from which run.
        previous = json.loads(previous_path.read_text())
        results["merged_from"] = {"date": previous["date"], "command": previous["command"]}
        results["scenarios"] = {**previous["scenarios"], **results["scenarios"]}
        results["load_average"] = {**previous.get("load_average", {}), **results["load_average"]}
    (out_dir / "results.json").write_text(json.dumps(results, indent=2))
    docs = args.docs or (None if args.smoke else str(BASE_DIR / "docs" / "benchmarks.md"))
    if docs:
        write_report(results, Path(docs))
    bench.log(f"done in {results['total_s']} s: {out_dir / 'results.json'}" + (f", {docs}" if docs else ""))
    return results


if __name__ == "__main__":
    main()
