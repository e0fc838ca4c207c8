from django.apps import AppConfig


class PartneringConfig(AppConfig):
    name = "partnering"
    default_auto_field = "django.db.models.BigAutoField"
