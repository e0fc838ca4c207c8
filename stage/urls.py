from django.urls import path

from stage import views

urlpatterns = [
    path("summits/<slug:slug>/rooms/<slug:room_slug>/go-live/", views.go_live, name="go-live"),
    path("summits/<slug:slug>/replays/<str:recording_slug>/", views.replay, name="replay"),
    # The media server's callbacks (nginx-rtmp on_*): the secret in the path is their authentication.
    path("stage/media/<str:secret>/publish/", views.media_publish, name="stage-media-publish"),
    path("stage/media/<str:secret>/update/", views.media_update, name="stage-media-update"),
    path("stage/media/<str:secret>/started/", views.media_started, name="stage-media-started"),
    path("stage/media/<str:secret>/stopped/", views.media_stopped, name="stage-media-stopped"),
    path("stage/media/<str:secret>/recorded/", views.media_recorded, name="stage-media-recorded"),
]
