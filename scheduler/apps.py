from django.apps import AppConfig


class SchedulerConfig(AppConfig):
    name = "scheduler"
    verbose_name = "Reminders and reports"

    def ready(self):
        from events.signals import bookmark_changed, session_changed
        from scheduler import receivers
        from scheduler.sources import SessionSource, register_source

        register_source(SessionSource())
        session_changed.connect(receivers.on_session_changed, dispatch_uid="scheduler.session_changed")
        bookmark_changed.connect(receivers.on_bookmark_changed, dispatch_uid="scheduler.bookmark_changed")
