"""Throttles for what anyone may call: signing in, registering, asking for a sign-in link.

Every attempt counts against the client and against the account or address it names, so neither
fresh X-Forwarded-For values nor many clients aimed at one account get past a limit. The client is
the address the trusted proxies saw (BEHIND_PROXY of them, django-ninja's NUM_PROXIES): a header
the client wrote itself counts for nothing. The same functions guard the API, the pages and the
admin, so every way of signing in shares one limit.

A stranger must not lock the owner out by failing with their name: a browser that signed in to an
account before carries a signed device cookie naming it (set at every successful sign-in, by
`DeviceCookieMiddleware`), and its password attempts for that account count against that device
alone, not against the client address or the account, which strangers exhaust. Without it, a
person locked out by strangers signs in with a mailed link, which no password throttle touches.

Counters live in the cache (Redis in production, shared by every process). While it cannot be
reached an attempt is refused with 503 rather than let through uncounted.
"""

import hashlib
import secrets

import redis
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _
from ninja.throttling import BaseThrottle, SimpleRateThrottle

from summit.errors import RateLimited, Unavailable


class _Counter(SimpleRateThrottle):
    """One sliding window in the cache, counted only once every window of the attempt allowed it."""

    def __init__(self, scope, setting_name, ident):
        self.scope = scope
        self.ident = ident
        super().__init__(getattr(settings, setting_name))

    def get_cache_key(self, request):
        return f"throttle:{self.scope}:{self.ident}"

    def throttle_success(self):
        return True  # recorded by `record` once the other windows agree

    def record(self):
        super().throttle_success()

    def retry_after(self):
        """Whole seconds until the oldest counted attempt leaves the window."""
        oldest = self.history[-1] if self.history else self.now
        return max(1, int(self.duration - (self.now - oldest)) + 1)


def client_address(request):
    """The client's address as the trusted proxies (and only they) reported it."""
    return BaseThrottle().get_ident(request) or "unknown"


def _named(value):
    """A cache-safe key for an account or address, the same whatever its case; never the address itself."""
    return hashlib.sha256((value or "").strip().lower().encode()).hexdigest()[:32]


def _check(request, scope, setting_name, idents):
    counters = [_Counter(scope, setting_name, ident) for ident in idents]
    try:
        refused = [counter for counter in counters if not counter.allow_request(request)]
        if refused:
            raise RateLimited(
                _("Too many attempts. Try again later."), retry_after=max(counter.retry_after() for counter in refused)
            )
        for counter in counters:
            counter.record()
    except redis.RedisError:
        raise Unavailable(_("Signing in is unavailable for a moment. Try again shortly."), retry_after=5) from None


def check_signin_attempt(request, username):
    """A password sign-in (API, sign-in page, admin): THROTTLE_LOGIN per device from a browser that signed
    in to this account before, else per client and per account (a per client and account count would add
    nothing: it never exceeds the client's)."""
    device = _known_device(request, username)
    if device is not None:
        _check(request, "login", "THROTTLE_LOGIN", [f"device:{device}"])
        return
    _check(request, "login", "THROTTLE_LOGIN", [f"client:{client_address(request)}", f"account:{_named(username)}"])


DEVICE_SALT = "summit.throttling.device"


def device_cookie_value(username):
    """A new device cookie for a browser that just signed in to `username`: signed, naming only a digest."""
    return signing.dumps({"account": _named(username), "device": secrets.token_hex(8)}, salt=DEVICE_SALT)


def _known_device(request, username):
    """The device id of the request's device cookie when it was set by a sign-in to `username`, else None."""
    value = request.COOKIES.get(settings.DEVICE_COOKIE_NAME)
    if not value:
        return None
    try:
        found = signing.loads(value, salt=DEVICE_SALT, max_age=settings.DEVICE_COOKIE_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(found, dict) or found.get("account") != _named(username):
        return None
    return found.get("device")


class DeviceCookieMiddleware:
    """Gives a browser that has just signed someone in (any way: password, link, registration, admin) the
    device cookie that keeps strangers' failed attempts from locking that person out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "signed_in_now", None)
        if user is not None:
            response.set_cookie(
                settings.DEVICE_COOKIE_NAME,
                device_cookie_value(user.get_username()),
                max_age=settings.DEVICE_COOKIE_AGE,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response


def note_signed_in(sender, request, user, **kwargs):
    """`user_logged_in` receiver: the response to this request carries a device cookie for `user`."""
    if request is not None:
        request.signed_in_now = user


def check_registration_attempt(request, email):
    """A registration: THROTTLE_REGISTRATION per client and per address registered."""
    _check(
        request,
        "registration",
        "THROTTLE_REGISTRATION",
        [f"client:{client_address(request)}", f"address:{_named(email)}"],
    )


def check_signin_link_request(request):
    """Asking for a sign-in link by mail: THROTTLE_SIGNIN_LINK per client."""
    _check(request, "signin-link", "THROTTLE_SIGNIN_LINK", [f"client:{client_address(request)}"])


def mail_allowed(address):
    """Whether one more sign-in link may be mailed to `address` (THROTTLE_SIGNIN_LINK per address).

    Beyond the limit the link is quietly not sent: answering differently would tell a stranger
    that the address has an account.
    """
    try:
        _check(None, "signin-mail", "THROTTLE_SIGNIN_LINK", [f"address:{_named(address)}"])
    except RateLimited:
        return False
    return True
