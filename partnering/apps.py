from django.apps import AppConfig


class PartneringConfig(AppConfig):
    name = "partnering"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from events.calendar import register_agenda_source
        from partnering import reminders
        from partnering.services import meeting_entries
        from partnering.signals import meeting_changed
        from scheduler.sources import register_source

        register_agenda_source(meeting_entries)
        register_source(reminders.MeetingSource())
        meeting_changed.connect(reminders.on_meeting_changed, dispatch_uid="partnering.meeting_reminders")
