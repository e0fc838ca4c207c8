"""The programme's signals, translated into scheduler services (sent after the change committed)."""

from django.db import transaction

from scheduler import services
from scheduler.tasks import send_notices


def on_session_changed(sender, session_id, change, **kwargs):
    if change == "rescheduled":
        services.do_replan_target("session", session_id)
    elif change == "cancelled":
        services.do_cancel_target("session", session_id)


def on_bookmark_changed(sender, user_id, session_id, added, **kwargs):
    if added:
        services.do_restore_recipient("session", session_id, user_id)
    else:
        services.do_forget_recipient("session", session_id, user_id)


def notice_receiver(source_name, id_argument):
    """A receiver for another app's signal that only enqueues the notices of that change (scheduler/notices.py).

    `id_argument` names the signal's argument holding the target's id; the
    signal may also give `actor_id` (not told of their own change) and
    `sequence` (which version of the target, so each change is told once).
    """

    def receive(sender, change, actor_id=None, sequence="", **kwargs):
        target_id = kwargs[id_argument]
        key = f"{source_name}:{target_id}:{change}:{sequence}"
        transaction.on_commit(lambda: send_notices.delay(source_name, target_id, change, actor_id, key))

    receive.__name__ = f"notify_{source_name}"
    return receive
