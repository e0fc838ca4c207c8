from django.urls import path

from stage import views

urlpatterns = [
    path("summits/<slug:slug>/rooms/<slug:room_slug>/go-live/", views.go_live, name="go-live"),
    path("summits/<slug:slug>/replays/<str:recording_slug>/", views.replay, name="replay"),
    # The media server's callbacks (nginx-rtmp on_*): the X-Media-Secret header is their authentication.
    path("stage/media/publish/", views.media_publish, name="stage-media-publish"),
    path("stage/media/update/", views.media_update, name="stage-media-update"),
    path("stage/media/relay/", views.media_relay, name="stage-media-relay"),
    path("stage/media/restream/", views.media_restream, name="stage-media-restream"),
    path("stage/media/started/", views.media_started, name="stage-media-started"),
    path("stage/media/stopped/", views.media_stopped, name="stage-media-stopped"),
    path("stage/media/recorded/", views.media_recorded, name="stage-media-recorded"),
]
