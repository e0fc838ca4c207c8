"""Errors raised by services and turned into one response shape by each interface.

The API answers `{"detail": ...}` with `status`; the websocket sends an
`error` frame with `code`. Services raise these and never build responses.
"""

import logging

from django.utils.translation import gettext as _
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class ServiceError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, detail):
        super().__init__(detail)
        self.detail = detail


class Invalid(ServiceError):
    status = 422
    code = "invalid"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class NotSignedIn(ServiceError):
    status = 401
    code = "forbidden"


class Conflict(ServiceError):
    status = 409
    code = "invalid"


class RateLimited(ServiceError):
    """Too many attempts: answered 429 with Retry-After."""

    status = 429
    code = "rate_limited"

    def __init__(self, detail, *, retry_after):
        super().__init__(detail)
        self.retry_after = retry_after


class Unavailable(ServiceError):
    """A part the request needs (Redis, the database) is down for now: 503 with Retry-After."""

    status = 503
    code = "unavailable"

    def __init__(self, detail, *, retry_after=5):
        super().__init__(detail)
        self.retry_after = retry_after


def unavailable_for(error):
    """The Unavailable that an outage no service handled becomes, logged: the API's and the pages' last resort.

    `error` is a RedisError (Redis unreachable) or the database's OperationalError: down, or every pooled
    connection busy for DB_POOL_TIMEOUT (a registration storm). Both pass: the client may retry.
    """
    log.warning(
        "answered 503: %s is unavailable (%s)", "Redis" if isinstance(error, RedisError) else "the database", error
    )
    return Unavailable(_("This is unavailable for a moment. Try again shortly."))
