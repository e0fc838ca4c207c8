from django.apps import AppConfig
from django.conf import settings

from summit.brokers import filesystem_broker_folders


class SummitConfig(AppConfig):
    """The project itself: creates the local folders settings point at, once, at start-up."""

    name = "summit"
    verbose_name = "Summit platform"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from summit.throttling import note_signed_in

        user_logged_in.connect(note_signed_in, dispatch_uid="summit.throttling.device_cookie")
        folders = [settings.VAR_DIR, settings.STATIC_ROOT]
        if settings.CELERY_BROKER_URL == "filesystem://":
            folders += filesystem_broker_folders(settings.VAR_DIR).values()
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
