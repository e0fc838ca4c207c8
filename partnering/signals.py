"""Signals partnering sends after a change has committed.

The scheduler can listen to plan meeting reminders; partnering does not import it.
"""

from django.dispatch import Signal

# meeting_id, change: "requested" | "proposed" | "accepted" | "declined" | "cancelled" | "updated"
meeting_changed = Signal()
