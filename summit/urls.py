from django.contrib import admin
from django.urls import include, path

from summit.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("livechat.urls")),
    path("", include("partnering.urls")),
    path("", include("scheduler.urls")),
    path("", include("stage.urls")),
    path("", include("events.urls")),
]
