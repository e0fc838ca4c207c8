"""The programme's signals, translated into scheduler services (sent after the change committed)."""

from scheduler import services


def on_session_changed(sender, session_id, change, **kwargs):
    if change == "rescheduled":
        services.do_replan_target("session", session_id)
    elif change == "cancelled":
        services.do_cancel_target("session", session_id)
    elif change == "restored":
        services.do_restore_target("session", session_id)


def on_bookmark_changed(sender, user_id, session_id, added, **kwargs):
    if added:
        services.do_restore_recipient("session", session_id, user_id)
    else:
        services.do_forget_recipient("session", session_id, user_id)
