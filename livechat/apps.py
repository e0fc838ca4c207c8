from django.apps import AppConfig


class LivechatConfig(AppConfig):
    name = "livechat"
    verbose_name = "Live rooms"

    def ready(self):
        from livechat import receivers

        receivers.connect()
