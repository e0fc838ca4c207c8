"""Celery tasks: thin, named, given ids, safe to run twice (the services decide what is done)."""

import logging

from celery import shared_task

from livechat.attendance_totals import do_refold_sessions
from scheduler import notices, services, stored_reports

log = logging.getLogger(__name__)


@shared_task(name="scheduler.dispatch_due_reminders")
def dispatch_due_reminders():
    ids = services.do_dispatch_due_reminders()
    if ids:
        log.info("queued %d reminder(s)", len(ids))


@shared_task(name="scheduler.send_reminders")
def send_reminders(reminder_ids):
    # One failed mail must not hold back the others; it went back to pending for the next tick.
    for reminder_id in reminder_ids:
        try:
            outcome = services.do_send_reminder(reminder_id)
        except Exception:
            log.exception("reminder %s: failed, retried on the next dispatch", reminder_id)
            continue
        log.info("reminder %s: %s", reminder_id, outcome)


@shared_task(name="scheduler.dispatch_summit_reports")
def dispatch_summit_reports():
    stored_reports.do_dispatch_ended_summits()


@shared_task(name="scheduler.build_summit_report")
def build_summit_report(report_id):
    outcome = stored_reports.do_build_report(report_id)
    log.info("report %s: %s", report_id, outcome)


@shared_task(name="scheduler.replan_target")
def replan_target(source_name, target_id):
    services.do_replan_target(source_name, target_id)


@shared_task(name="scheduler.cancel_target")
def cancel_target(source_name, target_id):
    services.do_cancel_target(source_name, target_id)


@shared_task(name="scheduler.restore_target")
def restore_target(source_name, target_id):
    services.do_restore_target(source_name, target_id)


@shared_task(name="scheduler.follow_agenda")
def follow_agenda(source_name, target_id, user_id, added):
    """A bookmark added or removed: that person's reminders for the target come back or are dropped."""
    if added:
        services.do_restore_recipient(source_name, target_id, user_id)
    else:
        services.do_forget_recipient(source_name, target_id, user_id)


@shared_task(name="scheduler.send_notices")
def send_notices(source_name, target_id, change, actor_id, key):
    told = notices.do_send_notices(source_name, target_id, change, actor_id, key)
    log.info("notices %s: %d told", key, told)


@shared_task(name="scheduler.refold_session_attendance")
def refold_session_attendance(session_id):
    """The session moved, was resized or created: its watch times are recomputed from the intervals."""
    do_refold_sessions([session_id])
