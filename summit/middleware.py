"""Request and error handling shared by every app's pages and API."""

from django.core.exceptions import RequestDataTooBig
from django.db import OperationalError as DatabaseUnavailable
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja.utils import check_csrf
from redis.exceptions import RedisError

from summit.errors import NotSignedIn, ServiceError, unavailable_for

API_PREFIX = "/api/"
# The methods that change something; any other is read-only or answered 405 by the API.
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class ServiceErrorMiddleware:
    """Turns a service error raised by a page view into a page with the right status.

    A RedisError or database OperationalError (down, or its pool exhausted) no service handled is a plain
    503 page, never a 500 (docs/operations.md).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (RedisError, DatabaseUnavailable)):
            exception = unavailable_for(exception)
        if not isinstance(exception, ServiceError):
            return None
        if isinstance(exception, NotSignedIn):
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        response = render(request, "error.html", {"detail": exception.detail}, status=exception.status)
        if getattr(exception, "retry_after", None):
            response["Retry-After"] = str(exception.retry_after)
        return response


# How a NUL character arrives: raw, JSON-escaped, or percent-encoded in a form or query.
NUL_MARKERS = (b"\x00", b"\\u0000", b"%00")


class RefuseNulMiddleware:
    """Refuses any request carrying a NUL character, for every app at once.

    PostgreSQL can neither store nor compare NUL in text, so such input would
    otherwise surface as a database error (a 500) wherever it reached a query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._carries_nul(request):
            detail = _("Text may not contain NUL characters.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": str(detail)}, status=422)
            return render(request, "error.html", {"detail": detail}, status=422)
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request):
        if "\x00" in request.path:
            return True
        query = request.META.get("QUERY_STRING", "").encode().lower()
        if b"%00" in query:
            return True
        if request.content_type == "multipart/form-data":
            # Uploaded images are binary and full of NUL bytes: look at the text fields and file names only.
            try:
                fields = [value for _key, values in request.POST.lists() for value in values]
            except RequestDataTooBig:
                return False  # the view answers 413 when it reads the form
            names = [upload.name or "" for upload in request.FILES.values()]
            return any("\x00" in text for text in fields + names)
        try:
            body = request.body
        except RequestDataTooBig:
            return False  # the view answers 413 when it reads the body
        return any(marker in body for marker in NUL_MARKERS)


class ApiUnsafeRequestMiddleware:
    """Every unsafe API request needs the CSRF token and, when it has a body, a JSON one: signing in too.

    django-ninja exempts its views from Django's CSRF check and makes it only where an endpoint
    needs a signed-in person; yet an endpoint that signs someone in (login, registration) is where
    a forged request does harm: a cross-site `enctype=text/plain` form would sign the victim's
    browser into the attacker's account. Such a form can send neither the token nor a JSON
    content type, so both are required of everyone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX) and request.method in UNSAFE_METHODS:
            if check_csrf(request) is not None:
                detail = _(
                    "CSRF token missing or incorrect: GET /api/auth/csrf/ and send its csrftoken "
                    "cookie back as X-CSRFToken."
                )
                return JsonResponse({"detail": str(detail)}, status=403)
            if self._has_body(request) and not self._is_json(request):
                return JsonResponse({"detail": str(_("Send the body as application/json."))}, status=415)
        return self.get_response(request)

    @staticmethod
    def _has_body(request):
        """Whether the request carries data; an empty form (what some clients send for no body) carries none."""
        try:
            if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
                return bool(request.POST) or bool(request.FILES)
            return bool(request.body)
        except (RequestDataTooBig, MultiPartParserError):
            return True

    @staticmethod
    def _is_json(request):
        return request.content_type == "application/json" or request.content_type.endswith("+json")


class ApiNotFoundMiddleware:
    """An unknown path under /api/ answers JSON 404 `{"detail": ...}` like the rest of the API, in every mode.

    Django answers a path no URL matches itself, before the API sees it: an HTML page, and with DEBUG
    on its technical page listing every URL pattern. A trailing-slash redirect is left as it is.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path.startswith(API_PREFIX)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return JsonResponse({"detail": str(_("Not found."))}, status=404)
        return response
