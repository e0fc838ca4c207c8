from django.contrib import admin
from django.urls import include, path

from summit.api import api
from summit.throttling import check_signin_attempt


def admin_login(request, **kwargs):
    """The admin's own login page, under the same throttle as every other way of signing in."""
    if request.method == "POST":
        check_signin_attempt(request, request.POST.get("username", ""))
    return admin.site.login(request, **kwargs)


urlpatterns = [
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("livechat.urls")),
    path("", include("partnering.urls")),
    path("", include("scheduler.urls")),
    path("", include("stage.urls")),
    path("", include("privacy.urls")),
    path("", include("events.urls")),
]
