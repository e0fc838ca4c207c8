"""What the programme tells other apps, and what it asks them (summit/plugins.py says how).

The scheduler listens to re-plan reminders, the other apps add their part of the demo, of agenda
feeds, of replays and of the programme's pages; the programme imports none of them.
"""

from django.dispatch import Signal

from summit.plugins import Contributions

# --- what happened (sent after the change has committed) -------------------------------------

# session_id, change: "created" | "rescheduled" | "cancelled" | "restored" | "updated"
session_changed = Signal()
# user_id, session_id, added: bool
bookmark_changed = Signal()
# summit: registrations were made in bulk (bulk_create sends no post_save).
people_registered = Signal()
# summit: the demo summit was seeded; each app adds its own demo data (idempotently).
demo_seeded = Signal()

# --- what other apps add ---------------------------------------------------------------------

# user -> [keyword arguments for events.calendar.add_event]: entries of the person's agenda feed
# beside their bookmarked sessions (partnering: accepted meetings).
agenda_entries = Contributions()
# sessions (finished ones) -> {session id: replay url} (the stage: its published replays).
replay_urls = Contributions()
# request, summit, company -> safe HTML or "": panels on a company's page (partnering: interest, leads).
company_page_panels = Contributions()
# request, summit, room, session -> safe HTML or "": panels in a live room (partnering: meet the company).
room_page_panels = Contributions()
