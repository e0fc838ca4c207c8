"""Queues the scheduler's Celery tasks, by name, once the current transaction commits.

Services and receivers call this instead of importing scheduler.tasks, which
imports the services: the dependency runs one way (tasks -> services -> here).
The task object is looked up in the Celery app's registry, so eager mode and
routing behave exactly as a direct `.delay()` would; a worker never reads a
row that is not committed yet.
"""

from celery import current_app
from django.db import transaction


def enqueue(task_name, *args, eta=None):
    """`eta` (an aware datetime) holds the task back until then; the task still checks it is due."""
    if eta is None:
        transaction.on_commit(lambda: current_app.tasks[task_name].delay(*args))
    else:
        transaction.on_commit(lambda: current_app.tasks[task_name].apply_async(args, eta=eta))
