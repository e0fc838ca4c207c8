"""HTTP and websockets in one ASGI application, served by Daphne."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "summit.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import re_path  # noqa: E402

from livechat.routing import websocket_urlpatterns  # noqa: E402


async def no_such_socket(scope, receive, send):
    """A websocket to a path nothing serves is refused at the handshake (HTTP 403), not a server error."""
    await receive()  # websocket.connect
    await send({"type": "websocket.close"})


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter([*websocket_urlpatterns, re_path(r"", no_such_socket)]))
        ),
    }
)
