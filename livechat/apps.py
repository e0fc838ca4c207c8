from django.apps import AppConfig


class LivechatConfig(AppConfig):
    name = "livechat"
    verbose_name = "Live rooms"

    def ready(self):
        from livechat import rights  # noqa: F401  (connects the receivers that make sockets follow rights)
