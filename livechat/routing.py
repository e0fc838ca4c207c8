from django.urls import path

from livechat.consumers import RoomConsumer

websocket_urlpatterns = [
    path("ws/summits/<slug:summit_slug>/rooms/<slug:room_slug>/", RoomConsumer.as_asgi()),
]
