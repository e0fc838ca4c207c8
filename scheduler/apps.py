from django.apps import AppConfig


class SchedulerConfig(AppConfig):
    name = "scheduler"
    verbose_name = "Reminders and reports"

    def ready(self):
        from events.signals import bookmark_changed, demo_seeded, session_changed
        from livechat.signals import notice_feeds
        from scheduler import receivers, tasks  # noqa: F401 (tasks: registered with Celery for scheduler.enqueue)
        from scheduler.demo import seed_scheduler_demo
        from scheduler.signals import reminder_sources

        reminder_sources.connect(receivers.session_reminders, dispatch_uid="scheduler.session_reminders")
        notice_feeds.connect(receivers.stored_notices, dispatch_uid="scheduler.stored_notices")
        session_changed.connect(receivers.on_session_changed, dispatch_uid="scheduler.session_changed")
        bookmark_changed.connect(receivers.on_bookmark_changed, dispatch_uid="scheduler.bookmark_changed")
        demo_seeded.connect(
            lambda sender, summit, **kwargs: seed_scheduler_demo(summit), weak=False, dispatch_uid="scheduler.demo"
        )
