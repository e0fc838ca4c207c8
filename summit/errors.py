"""Errors raised by services and turned into one response shape by each interface.

The API answers `{"detail": ...}` with `status`; the websocket sends an
`error` frame with `code`. Services raise these and never build responses.
"""


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
