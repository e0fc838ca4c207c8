"""Timing knobs of the scheduler (beat's intervals are in scheduler/beat.py), read once from the environment (strictly, like summit/settings.py).

Kept here rather than in summit/settings.py so the app carries its own
defaults; tests shorten them for the real-worker runs through the environment.
"""

from urllib.parse import urlsplit

from django.conf import settings

from summit.env import env_int

# A reminder found later than this after its due time is skipped rather than sent late.
GRACE_MINUTES = env_int("REMINDER_GRACE_MINUTES", 10)
# How long one send attempt owns a reminder; a crashed attempt is retried after this.
LEASE_SECONDS = env_int("REMINDER_LEASE_SECONDS", 300)
# A reminder queued this long ago and still not claimed is enqueued again (a lost message).
REQUEUE_SECONDS = env_int("REMINDER_REQUEUE_SECONDS", 300)
# Attempts after which a reminder is given up (skipped, reason "failed").
MAX_ATTEMPTS = env_int("REMINDER_MAX_ATTEMPTS", 5)
# How long one report build owns its row.
REPORT_LEASE_SECONDS = env_int("REPORT_LEASE_SECONDS", 600)

DEFAULT_OFFSETS = [24 * 60, 15]


def message_id_domain():
    return urlsplit(settings.SITE_URL).hostname or "localhost"
