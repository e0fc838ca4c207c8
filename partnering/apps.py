from django.apps import AppConfig


class PartneringConfig(AppConfig):
    name = "partnering"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from partnering import reminders
        from partnering.signals import meeting_changed
        from scheduler.sources import register_source

        register_source(reminders.MeetingSource())
        meeting_changed.connect(reminders.on_meeting_changed, dispatch_uid="partnering.meeting_reminders")
