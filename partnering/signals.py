"""Signals partnering sends after a change has committed.

partnering/reminders.py listens to plan meeting reminders through the scheduler,
and the scheduler's notices (registered in partnering/apps.py) tell people;
the rules in partnering/services do not import the scheduler.
"""

from django.dispatch import Signal

from summit.plugins import Contributions

# meeting_id, change: "requested" | "proposed" | "accepted" | "declined" | "cancelled" | "updated", sequence,
# actor_id: the person who made the change (None when unknown)
meeting_changed = Signal()

# interest_id, change: "mutual", actor_id: the member who answered
interest_changed = Signal()

# request, summit, meeting -> safe HTML or "": panels on a meeting's page (calls: the colleagues who sit in).
meeting_page_panels = Contributions()
