"""Beat's schedule for the scheduler; read by summit/celery.py before Django is set up (no models here)."""

from summit.env import env_int

BEAT_SCHEDULE = {
    "dispatch-due-reminders": {
        "task": "scheduler.dispatch_due_reminders",
        "schedule": float(env_int("REMINDER_DISPATCH_SECONDS", 60)),
    },
    "dispatch-summit-reports": {
        "task": "scheduler.dispatch_summit_reports",
        "schedule": float(env_int("REPORT_CHECK_SECONDS", 300)),
    },
}
