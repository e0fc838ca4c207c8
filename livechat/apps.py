from django.apps import AppConfig


class LivechatConfig(AppConfig):
    name = "livechat"
    verbose_name = "Live rooms"

    def ready(self):
        # Registers the polls' part of room.state wherever do_enter_room runs.
        from livechat import polls  # noqa: F401
