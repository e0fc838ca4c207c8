"""Queues the scheduler's Celery tasks, by name, once the current transaction commits.

Services and receivers call this instead of importing scheduler.tasks, which
imports the services: the dependency runs one way (tasks -> services -> here).
A worker never reads a row that is not committed yet, and a broker that cannot
be reached never turns a committed change into an error (summit/celery.py).
"""

from summit.celery import delay_on_commit


def enqueue(task_name, *args, eta=None):
    """`eta` (an aware datetime) holds the task back until then; the task still checks it is due."""
    delay_on_commit(task_name, *args, eta=eta)
