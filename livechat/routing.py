from django.urls import path

from livechat.consumers import RoomConsumer
from livechat.people import PersonConsumer


def room_socket_path(summit_slug, room_slug):
    """The room socket's path as pages give it to the browser; the pattern below is its one route."""
    return f"/ws/summits/{summit_slug}/rooms/{room_slug}/"


websocket_urlpatterns = [
    path("ws/summits/<slug:summit_slug>/rooms/<slug:room_slug>/", RoomConsumer.as_asgi()),
    path("ws/me/", PersonConsumer.as_asgi()),
]
