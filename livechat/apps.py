from django.apps import AppConfig


class LivechatConfig(AppConfig):
    name = "livechat"
    verbose_name = "Live rooms"

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        from livechat import receivers, rights  # noqa: F401  (rights connects the receivers sockets follow)
        from livechat.people import on_signed_out

        receivers.connect()
        user_logged_out.connect(on_signed_out, dispatch_uid="livechat.person_socket_signed_out")
