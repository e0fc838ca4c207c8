"""The JSON API: one NinjaAPI, routers from each app, one place that shapes errors."""

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from events.api import router as events_router
from summit.errors import ServiceError

api = NinjaAPI(title="Summit platform API", version="1", urls_namespace="api")


@api.exception_handler(ServiceError)
def service_error(request, exc):
    return api.create_response(request, {"detail": exc.detail}, status=exc.status)


@api.exception_handler(AuthenticationError)
def not_signed_in(request, exc):
    return api.create_response(request, {"detail": "Sign in first."}, status=401)


@api.exception_handler(ValidationError)
def invalid_input(request, exc):
    return api.create_response(request, {"detail": exc.errors}, status=422)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)


@api.exception_handler(RequestDataTooBig)
def too_large(request, exc):
    return api.create_response(request, {"detail": "Request body too large."}, status=413)


api.add_router("", events_router)
api.add_router("", "partnering.api.router")
api.add_router("", "scheduler.api.router")
api.add_router("", "stage.api.router")
