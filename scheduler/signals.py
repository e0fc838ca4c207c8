"""What the scheduler asks other apps (summit/plugins.py says how): it knows nothing of sessions or meetings.

Each app connects its receivers in its AppConfig.ready(); a receiver returns one object, the same one
on every call (a module-level instance), so asking is cheap.
"""

from summit.plugins import Contributions

# -> a scheduler.sources.ReminderSource: what can be reminded of and who is reminded (the scheduler's
# own `session` source, partnering's `meeting`). Names are unique.
reminder_sources = Contributions()

# -> a notice source (scheduler/notices.py): name, recipients(id, change, actor_id),
# describe(id, change, user). Names are unique.
notice_sources = Contributions()

# summit, companies, now -> {company id: [lead rows with "visits" and "organisation"]}: who counts as
# a company's visitor in the attendance report (partnering's leads).
company_leads = Contributions()
