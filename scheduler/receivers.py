"""The programme's signals, turned into scheduler tasks.

Signals arrive after the change committed (events.signals); re-planning runs
in a worker, so a failure there can never turn an already saved change into
an error page.
"""

from scheduler.enqueue import enqueue
from scheduler.notices import StoredNotices
from scheduler.sources import SessionSource

SESSION_REMINDERS = SessionSource()
STORED_NOTICES = StoredNotices()


# A session whose window or room may have changed (a restore may move it too): its watch times are re-folded.
REFOLDED_ON = ("created", "rescheduled", "restored", "updated")


def on_session_changed(sender, session_id, change, **kwargs):
    if change in REFOLDED_ON:
        enqueue("scheduler.refold_session_attendance", session_id)
    if change == "rescheduled":
        enqueue("scheduler.replan_target", "session", session_id)
    elif change == "cancelled":
        enqueue("scheduler.cancel_target", "session", session_id)
    elif change == "restored":
        enqueue("scheduler.restore_target", "session", session_id)


def on_bookmark_changed(sender, user_id, session_id, added, **kwargs):
    enqueue("scheduler.follow_agenda", "session", session_id, user_id, added)


def notice_receiver(source_name, id_argument):
    """A receiver for another app's signal that only enqueues the notices of that change (scheduler/notices.py).

    `id_argument` names the signal's argument holding the target's id; the
    signal may also give `actor_id` (not told of their own change) and
    `sequence` (which version of the target, so each change is told once).
    """

    def receive(sender, change, actor_id=None, sequence="", **kwargs):
        target_id = kwargs[id_argument]
        enqueue(
            "scheduler.send_notices",
            source_name,
            target_id,
            change,
            actor_id,
            f"{source_name}:{target_id}:{change}:{sequence}",
        )

    receive.__name__ = f"notify_{source_name}"
    return receive


def session_reminders(**signal):
    """scheduler.signals.reminder_sources: the scheduler's own source, asked like any other app's."""
    return SESSION_REMINDERS


def stored_notices(**signal):
    """livechat.signals.notice_feeds: without Redis, the notices table is how the worker's notices reach sockets."""
    return STORED_NOTICES
