from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Programme"

    def ready(self):
        from events import schedule_cache

        schedule_cache.connect()
