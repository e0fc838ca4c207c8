from django.urls import path

from livechat.consumers import RoomConsumer
from livechat.people import PersonConsumer

websocket_urlpatterns = [
    path("ws/summits/<slug:summit_slug>/rooms/<slug:room_slug>/", RoomConsumer.as_asgi()),
    path("ws/me/", PersonConsumer.as_asgi()),
]
