"""Signals the programme sends after a change has committed.

The scheduler listens to re-plan reminders; the programme does not import it.
"""

from django.dispatch import Signal

# session_id, change: "created" | "rescheduled" | "cancelled" | "restored" | "updated"
session_changed = Signal()
# user_id, session_id, added: bool
bookmark_changed = Signal()
