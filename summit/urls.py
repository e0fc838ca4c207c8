from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

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
    path("", include("judging.urls")),
    path("", include("programme.urls")),
    path("", include("stage.urls")),
    path("", include("privacy.urls")),
    path("", include("events.urls")),
]


def media(request, path):
    """Uploaded files from MEDIA_ROOT: re-encoded images only (programme.images), so safe to serve from here."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


if settings.SERVE_MEDIA:
    urlpatterns.append(re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", media, name="media"))
