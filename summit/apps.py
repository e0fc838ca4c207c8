from django.apps import AppConfig
from django.conf import settings

from summit.brokers import filesystem_broker_folders


class SummitConfig(AppConfig):
    """The project itself: creates the local folders settings point at, once, at start-up."""

    name = "summit"
    verbose_name = "Summit platform"

    def ready(self):
        folders = [settings.VAR_DIR, settings.STATIC_ROOT]
        if settings.CELERY_BROKER_URL == "filesystem://":
            folders += filesystem_broker_folders(settings.VAR_DIR).values()
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
