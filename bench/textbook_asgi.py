"""The platform's ASGI application with the textbook room consumer on the contract's websocket path."""

import os

from django.core.asgi import get_asgi_application

# The platform has no channel layer; the textbook design needs one (bench/textbook_settings.py).
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.textbook_settings"
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from bench.textbook import TextbookRoomConsumer  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(
                URLRouter(
                    [path("ws/summits/<slug:summit_slug>/rooms/<slug:room_slug>/", TextbookRoomConsumer.as_asgi())]
                )
            )
        ),
    }
)
