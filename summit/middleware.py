"""Turns a service error raised by a page view into a page with the right status."""

from django.shortcuts import render

from summit.errors import NotSignedIn, ServiceError


class ServiceErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ServiceError):
            return None
        if isinstance(exception, NotSignedIn):
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        return render(request, "error.html", {"detail": exception.detail}, status=exception.status)
