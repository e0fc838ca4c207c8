"""The Celery app (tasks live in each app's tasks.py and are found by autodiscovery), and queueing on commit."""

import logging
import os

from celery import Celery
from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "summit.settings")

app = Celery("summit")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
log = logging.getLogger(__name__)


def delay_on_commit(task, *args, eta=None):
    """`task.delay(*args)` once the current transaction commits; `task` is a task or its registered name.
    With `eta` (an aware datetime) the worker holds it back until then.

    Queueing is an after-effect of a change that has committed: if the broker
    (Redis) cannot be reached the change stands, the request that made it
    answers as it would, and the task is logged as not queued (what the beat's
    dispatchers recover from the database is listed in docs/operations.md).
    A name is looked up when the task is sent, in the app's registry, so eager
    mode and routing behave exactly as a direct `.delay()` would.
    """
    transaction.on_commit(lambda: _delay(task, args, eta))


def _delay(task, args, eta):
    # Looked up in this project's app: a shared task's proxy would follow whichever Celery app was made
    # current since (a test's producer app), and queue to that app's broker instead of running here.
    task = app.tasks[task if isinstance(task, str) else task.name]
    try:
        task.apply_async(args, eta=eta)
    except (OperationalError, RedisError, OSError) as error:
        log.error("task %s%r not queued: the broker is unreachable (%s)", task.name, args, error)
