from django.urls import path

from livechat import views

urlpatterns = [
    path("summits/<slug:slug>/rooms/<slug:room_slug>/", views.room, name="room"),
]
