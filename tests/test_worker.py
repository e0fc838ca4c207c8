"""Exactly-once reminders on a real Celery worker (and real beat) against the test database.

Each test runs with both brokers: kombu's filesystem transport in a temporary
directory (what `make run` uses) and Redis (production), skipped when Redis
is unreachable unless services are required. The worker sees the test
database through DATABASE_URL, so these need PostgreSQL.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from amqp.exceptions import ChannelError
from celery import Celery
from django.db import connection
from django.utils import timezone

from events.models import Bookmark, Registration, Summit
from livechat.models import Attendance
from scheduler.models import Notification, Reminder, SummitReport
from summit.brokers import broker_transport_options, filesystem_broker_folders
from tests.conftest import make_person, make_session, services_required
from tests.servers import shared_database_url

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
LEASE_SECONDS = 3


def _database_url():
    return shared_database_url(connection, "a worker process")


@pytest.fixture(params=["filesystem", "redis"])
def broker(request, tmp_path):
    """(worker environment, producer app) for one broker, emptied before the test."""
    var_dir = tmp_path / "var"
    env = {"VAR_DIR": str(var_dir)}
    if request.param == "filesystem":
        for folder in filesystem_broker_folders(var_dir).values():
            folder.mkdir(parents=True)
        env["CELERY_BROKER_URL"] = "filesystem://"
        producer = Celery("producer", broker="filesystem://", set_as_current=False)
        producer.conf.broker_transport_options = broker_transport_options("filesystem://", var_dir)
    else:
        import redis

        url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
        try:
            client = redis.Redis.from_url(url, socket_timeout=2)
            for pattern in ("celery*", "unacked*", "_kombu*"):  # this broker's keys only, not the whole db
                for key in client.scan_iter(pattern):
                    client.delete(key)
        except redis.RedisError as error:
            if services_required():
                pytest.fail(f"Redis is required but unreachable at {url}: {error}")
            pytest.skip(f"Redis unreachable at {url}")
        env["CELERY_BROKER_URL"] = url
        env["CELERY_VISIBILITY_TIMEOUT"] = "5"
        producer = Celery("producer", broker=url, set_as_current=False)
    yield env, producer
    producer.close()


@pytest.fixture
def outbox(tmp_path):
    path = tmp_path / "mail"
    path.mkdir()
    return path


def mails(outbox):
    return sorted(outbox.glob("*.eml"))


class Processes:
    """Celery processes started by a test, all stopped at its end (killed if they linger)."""

    def __init__(self, tmp_path, env):
        self.tmp_path = tmp_path
        self.env = env
        self.running = []

    def start(self, *args, name):
        with open(self.tmp_path / f"{name}.log", "w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "summit", *args],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process.log_path = self.tmp_path / f"{name}.log"
        self.running.append(process)
        return process

    def worker(self, name="worker", concurrency=2):
        process = self.start(
            "worker",
            f"--concurrency={concurrency}",
            "--pool=prefork",
            "--loglevel=INFO",
            f"--hostname={name}-{uuid.uuid4().hex[:6]}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            name=name,
        )
        wait_for(lambda: "ready." in process.log_path.read_text() or process.poll() is not None, 90, f"{name} to start")
        assert process.poll() is None, process.log_path.read_text()
        return process

    def beat(self, name):
        return self.start("beat", "--loglevel=INFO", f"--schedule={self.tmp_path / name}", name=name)

    def stop_all(self):
        """Cold shutdown (SIGQUIT), then SIGKILL: a test's worker may hold a hung task, and what a worker does
        when it is stopped is not what these tests prove (the ones that kill workers do it themselves)."""
        for process in self.running:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGQUIT)
        for process in self.running:
            try:
                process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def logs(self):
        return "\n".join(f"--- {p.log_path.name}\n{p.log_path.read_text()[-3000:]}" for p in self.running)


@pytest.fixture
def celery(broker, outbox, tmp_path):
    worker_env, producer = broker
    env = {
        **os.environ,
        **worker_env,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "summit.settings",
        "EMAIL_BACKEND": "tests.mailbox_backend.EmailBackend",
        "TEST_MAIL_DIR": str(outbox),
        "TEST_MAIL_HANG_FILE": str(tmp_path / "hang"),
        "REMINDER_LEASE_SECONDS": str(LEASE_SECONDS),
        "REMINDER_REQUEUE_SECONDS": "3",
        "REMINDER_DISPATCH_SECONDS": "1",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    processes = Processes(tmp_path, env)
    processes.producer = producer
    yield processes
    processes.stop_all()


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def send(celery, name, *args, **options):
    celery.producer.send_task(name, args=list(args), **options)


def statuses():
    return list(Reminder.objects.order_by("pk").values_list("status", flat=True))


@pytest.fixture
def soon(summit, main_stage):
    """A session whose 15-minute reminder is due now, in the agendas of `count` people."""

    def build(count):
        session = make_session(summit, main_stage, "Starting soon", timezone.now() + dt.timedelta(minutes=14))
        for index in range(count):
            person = make_person(f"fan{index}", timezone="Asia/Shanghai")
            Registration.objects.create(summit=summit, user=person)
            Bookmark.objects.create(user=person, session=session)
        Bookmark.objects.update(created_at=timezone.now() - dt.timedelta(hours=1))
        return session

    return build


def messages_waiting(celery):
    """Task messages still in the broker's queue, not yet taken by a worker."""
    with celery.producer.connection_for_read() as connection:
        try:
            return connection.default_channel.queue_declare(queue="celery", passive=True).message_count
        except ChannelError:  # the producer's side does not know the queue yet: nothing was left in it
            return 0


def task_log_lines(celery, *markers):
    """Lines of the workers' logs about a task that contain every marker ("] received", " succeeded in ", ...)."""
    return sum(
        "Task " in line and all(marker in line for marker in markers)
        for process in celery.running
        if process.poll() is None  # a killed worker finishes nothing
        for line in process.log_path.read_text().splitlines()
    )


def idle(celery):
    """Every task message was taken, and every task a worker received has finished."""
    received = task_log_lines(celery, "] received")
    finished = task_log_lines(celery, " succeeded in ") + task_log_lines(celery, " raised ")
    return messages_waiting(celery) == 0 and received == finished


def wait_until_settled(celery, expected_sent, timeout=60):
    """`expected_sent` reminders are sent and the workers are idle: any duplicate that would send has sent."""

    def settled():
        return statuses().count(Reminder.Status.SENT) >= expected_sent and idle(celery)

    try:
        wait_for(settled, timeout, f"{expected_sent} reminders sent and the workers idle")
    except AssertionError:
        raise AssertionError(f"{statuses()}\n{celery.logs()}") from None


def test_beat_firing_twice_sends_each_reminder_once(celery, soon, outbox):
    soon(3)
    celery.worker()
    send(celery, "scheduler.dispatch_due_reminders")
    send(celery, "scheduler.dispatch_due_reminders")
    wait_until_settled(celery, 3)
    assert len(mails(outbox)) == 3
    assert Notification.objects.count() == 3
    assert Reminder.objects.count() == 3


def test_racing_dispatchers_send_each_reminder_once(celery, soon, outbox):
    soon(12)
    celery.worker(concurrency=4)
    for _ in range(8):
        send(celery, "scheduler.dispatch_due_reminders")
    wait_until_settled(celery, 12)
    assert len(mails(outbox)) == 12
    recipients = sorted(Reminder.objects.values_list("user__email", flat=True))
    sent_to = sorted(
        line.split(":", 1)[1].strip()
        for path in mails(outbox)
        for line in path.read_text().splitlines()
        if line.startswith("To:")
    )
    assert sent_to == recipients


def beat_ticks(beat):
    return beat.log_path.read_text().count("Sending due task dispatch-due-reminders")


def test_two_beat_processes_send_each_reminder_once(celery, soon, outbox):
    soon(2)
    celery.worker()
    celery.beat("beat-a")
    celery.beat("beat-b")
    wait_for(lambda: statuses().count(Reminder.Status.SENT) == 2, 60, "both reminders sent")
    # Both beats keep firing every second (never idle): two more ticks of each, handled by the worker.
    handled = sum(beat_ticks(beat) for beat in celery.running[1:]) + 4
    wait_for(
        lambda: task_log_lines(celery, "dispatch_due_reminders[", " succeeded in ") >= handled,
        60,
        "two more ticks of each beat handled",
    )
    assert len(mails(outbox)) == 2
    assert "scheduler.dispatch_due_reminders" in "".join(p.log_path.read_text() for p in celery.running[1:])


def test_duplicated_task_message_sends_once(celery, soon, outbox):
    session = soon(1)
    reminder = Reminder.objects.create(
        source="session",
        target_id=session.pk,
        user=Bookmark.objects.get().user,
        offset_minutes=15,
        due_at=session.starts_at - dt.timedelta(minutes=15),
        status=Reminder.Status.QUEUED,
        queued_at=timezone.now(),
    )
    task_id = str(uuid.uuid4())
    for _ in range(3):
        send(celery, "scheduler.send_reminders", [reminder.pk], task_id=task_id)
    celery.worker(concurrency=3)
    wait_until_settled(celery, 1)
    assert len(mails(outbox)) == 1
    reminder.refresh_from_db()
    assert reminder.attempts == 1


def test_worker_killed_mid_send_is_redelivered_and_sends_once(celery, soon, outbox, tmp_path):
    soon(1)
    hang = tmp_path / "hang"
    hang.touch()
    celery.worker()
    send(celery, "scheduler.dispatch_due_reminders")
    pid_file = outbox / "hanging.pid"
    wait_for(pid_file.exists, 60, "the send to start")
    os.kill(int(pid_file.read_text()), signal.SIGKILL)  # the pool process dies mid-send
    hang.unlink()
    assert mails(outbox) == []
    # The redelivered message finds the claim still leased; beat's next ticks re-queue it after the lease.
    deadline = time.monotonic() + 60
    while statuses() != [Reminder.Status.SENT] and time.monotonic() < deadline:
        send(celery, "scheduler.dispatch_due_reminders")
        time.sleep(1)
    wait_until_settled(celery, 1)
    assert len(mails(outbox)) == 1
    reminder = Reminder.objects.get()
    assert reminder.attempts == 2
    assert Notification.objects.filter(reminder=reminder).count() == 1
    assert "exited with 'signal 9 (SIGKILL)'" in celery.running[0].log_path.read_text()


def test_whole_worker_killed_then_another_worker_sends_once(celery, soon, outbox, tmp_path):
    soon(1)
    hang = tmp_path / "hang"
    hang.touch()
    first = celery.worker(name="first")
    send(celery, "scheduler.dispatch_due_reminders")
    wait_for((outbox / "hanging.pid").exists, 60, "the send to start")
    os.killpg(first.pid, signal.SIGKILL)  # main process and pool: nothing acknowledges the message
    first.wait()
    hang.unlink()
    celery.worker(name="second")
    deadline = time.monotonic() + 60
    while statuses() != [Reminder.Status.SENT] and time.monotonic() < deadline:
        send(celery, "scheduler.dispatch_due_reminders")
        time.sleep(1)
    wait_until_settled(celery, 1)
    assert len(mails(outbox)) == 1
    assert Reminder.objects.get().attempts == 2


def test_worker_killed_while_building_a_report_then_the_report_is_built_and_mailed_once(
    celery, summit, organiser, attendee_paris, main_stage, outbox
):
    """The build is held mid-query by a table lock this test takes, then the whole worker is SIGKILLed."""
    Summit.objects.filter(pk=summit.pk).update(starts_on=dt.date(2026, 3, 2), ends_on=dt.date(2026, 3, 3))
    Attendance.objects.create(user=attendee_paris, room=main_stage, joined_at=timezone.now(), left_at=timezone.now())
    celery.env["REPORT_LEASE_SECONDS"] = str(LEASE_SECONDS)
    locker = psycopg.connect(_database_url().replace("postgres://", "postgresql://", 1))
    try:
        locker.execute(f'LOCK TABLE "{Attendance._meta.db_table}" IN ACCESS EXCLUSIVE MODE')
        first = celery.worker(name="first")
        send(celery, "scheduler.dispatch_summit_reports")
        wait_for(
            lambda: SummitReport.objects.filter(status=SummitReport.Status.BUILDING).exists(), 60, "the build to start"
        )
        wait_for(
            lambda: (
                locker.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                ).fetchone()[0]
                > 0
            ),
            30,
            "the build to wait on the lock",
        )
        os.killpg(first.pid, signal.SIGKILL)  # main process and pool, mid-build
        first.wait()
    finally:
        locker.rollback()
        locker.close()

    second = celery.worker(name="second")
    deadline = time.monotonic() + 60
    while not SummitReport.objects.filter(status=SummitReport.Status.READY).exists() and time.monotonic() < deadline:
        send(celery, "scheduler.dispatch_summit_reports")  # beat's ticks: a lapsed lease is built again
        time.sleep(1)
    report = SummitReport.objects.get()
    assert report.status == SummitReport.Status.READY and report.mailed_at is not None, celery.logs()
    # Every dispatch queued above taken and finished: a duplicate build or mail would have happened by now.
    wait_for(lambda: idle(celery), 60, "the worker idle")
    outcomes = [line for line in second.log_path.read_text().splitlines() if f"report {report.pk}: " in line]
    assert sum(line.endswith((": built", ": mailed")) for line in outcomes) == 1, outcomes
    assert len(mails(outbox)) == 1  # the one organiser, once
    assert SummitReport.objects.count() == 1
