"""Signals partnering sends after a change has committed.

partnering/reminders.py listens to plan meeting reminders through the scheduler;
the rules in services.py do not import the scheduler.
"""

from django.dispatch import Signal

# meeting_id, change: "requested" | "proposed" | "accepted" | "declined" | "cancelled" | "updated"
meeting_changed = Signal()
