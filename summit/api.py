"""The JSON API: one NinjaAPI, routers from each app, one place that shapes errors."""

from django.core.exceptions import RequestDataTooBig
from django.db import OperationalError as DatabaseUnavailable
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from redis.exceptions import RedisError

from events.api import router as events_router
from summit.errors import ServiceError, unavailable_for
from summit.openapi import document_shared_answers


class SummitAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """The routers' document plus the answers every endpoint shares (summit/openapi.py)."""
        return document_shared_answers(super().get_openapi_schema(**kwargs))


api = SummitAPI(title="Summit platform API", version="1", urls_namespace="api")


@api.exception_handler(ServiceError)
def service_error(request, exc):
    response = api.create_response(request, {"detail": exc.detail}, status=exc.status)
    if getattr(exc, "retry_after", None):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(RedisError)
@api.exception_handler(DatabaseUnavailable)
def outage(request, exc):
    """Redis unreachable, the database down or its pool exhausted, and no service turned it into an answer of
    its own: 503 with a JSON detail, never a 500 (docs/operations.md)."""
    return service_error(request, unavailable_for(exc))


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
api.add_router("", "judging.api.router")
api.add_router("", "stage.api.router")
api.add_router("", "privacy.api.router")
api.add_router("", "calls.api.router")
