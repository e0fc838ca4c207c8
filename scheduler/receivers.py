"""The programme's signals, turned into scheduler tasks.

Signals arrive after the change committed (events.signals); re-planning runs
in a worker, so a failure there can never turn an already saved change into
an error page.
"""

from scheduler.enqueue import enqueue


def on_session_changed(sender, session_id, change, **kwargs):
    if change == "rescheduled":
        enqueue("scheduler.replan_target", "session", session_id)
    elif change == "cancelled":
        enqueue("scheduler.cancel_target", "session", session_id)


def on_bookmark_changed(sender, user_id, session_id, added, **kwargs):
    enqueue("scheduler.follow_agenda", "session", session_id, user_id, added)
