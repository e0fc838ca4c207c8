from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    """The organisers' programme editor: pages over the rules in events.services."""

    name = "programme"
    default_auto_field = "django.db.models.BigAutoField"
