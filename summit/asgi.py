"""HTTP and websockets in one ASGI application, served by Daphne.

Websockets are authenticated once at connect (livechat/auth.py: the session
cookie, then its user in the consumer's first database call), not by Channels'
session-saving AuthMiddlewareStack, which wraps every send. Anonymous GETs of
the schedule API are answered from memory before Django (events/schedule_cache.py).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "summit.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402  (needs Django set up)
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import re_path  # noqa: E402

from events.schedule_cache import AnonymousScheduleResponses  # noqa: E402
from livechat.routing import websocket_urlpatterns  # noqa: E402


async def no_such_socket(scope, receive, send):
    """A websocket to a path nothing serves is refused at the handshake (HTTP 403), not a server error."""
    await receive()  # websocket.connect
    await send({"type": "websocket.close"})


application = ProtocolTypeRouter(
    {
        "http": AnonymousScheduleResponses(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(URLRouter([*websocket_urlpatterns, re_path(r"", no_such_socket)])),
    }
)
