"""Signals the programme sends after a change has committed.

The scheduler listens to re-plan reminders, and the other apps add their part of the demo;
the programme imports none of them.
"""

from django.dispatch import Signal

# session_id, change: "created" | "rescheduled" | "cancelled" | "updated"
session_changed = Signal()
# user_id, session_id, added: bool
bookmark_changed = Signal()
# summit: registrations were made in bulk (bulk_create sends no post_save).
people_registered = Signal()
# summit: the demo summit was seeded; each app adds its own demo data (idempotently).
demo_seeded = Signal()
