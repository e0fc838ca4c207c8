"""Activates each person's language and time zone for the request.

A signed-in person's saved choice wins (the language switcher saves it);
otherwise the time zone comes from the cookie that the page's script sets
from the browser, else the server default, and the language from Django's
LocaleMiddleware (cookie, then Accept-Language).
"""

import zoneinfo
from urllib.parse import unquote

from django.utils import timezone, translation

from events.i18n import clear_summit_fallback
from events.models import KNOWN_TIMEZONES

TZ_COOKIE = "summit_tz"


def timezone_from_cookie(request):
    """The browser's zone as static/js/timezone.js stores it: URL-encoded ("Asia%2FShanghai")."""
    name = unquote(request.COOKIES.get(TZ_COOKIE, ""))
    if name in KNOWN_TIMEZONES:
        return name
    return None


class PersonPreferencesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        profile = getattr(request.user, "profile", None) if request.user.is_authenticated else None
        cookie_zone = timezone_from_cookie(request)
        tz_name = (profile.timezone if profile else None) or cookie_zone
        # Pages tell timezone.js whether the server knew the reader's zone ("default": it did not).
        request.timezone_source = "profile" if profile else "cookie" if cookie_zone else "default"
        if tz_name:
            timezone.activate(zoneinfo.ZoneInfo(tz_name))
        else:
            timezone.deactivate()
        if profile and profile.language:
            translation.activate(profile.language)
            request.LANGUAGE_CODE = translation.get_language()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
            clear_summit_fallback()
