"""Strict readers for settings taken from the environment.

A malformed value stops the process at start-up with ImproperlyConfigured
instead of quietly meaning something else later.
"""

import os
import re
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name, default, *, minimum=None):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {raw!r}")
    return value


def env_list(name, default=()):
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_origin(name, default):
    """An origin, scheme://host[:port] and nothing more: it goes into the Content-Security-Policy as is."""
    raw = os.environ.get(name) or default
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/") or parts.query:
        raise ImproperlyConfigured(f"{name} must be an origin such as https://media.example.org, got {raw!r}")
    return f"{parts.scheme}://{parts.netloc}"


_RATE = re.compile(r"^[1-9][0-9]*/(s|m|h|d|sec|min|hour|day)$")


def env_rate(name, default):
    """A throttle rate as django-ninja reads it: "count/period", e.g. "10/m" or "20/h"."""
    value = os.environ.get(name, default).strip()
    if not _RATE.match(value):
        raise ImproperlyConfigured(f"{name} must be a rate like 10/m or 20/h (count/s|m|h|d), got {value!r}")
    return value


def env_url(name, default, schemes=("http", "https")):
    """An absolute URL with one of `schemes` and a host; a trailing slash is dropped."""
    value = os.environ.get(name, default).strip()
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.hostname:
        raise ImproperlyConfigured(f"{name} must be an absolute {'/'.join(schemes)} URL with a host, got {value!r}")
    return value.rstrip("/")


def env_port_range(name, default):
    """An inclusive range of ports "first-last" (e.g. "49160-49200"), as a (first, last) pair."""
    value = os.environ.get(name, default).strip()
    first, _dash, last = value.partition("-")
    try:
        ports = int(first), int(last)
    except ValueError:
        ports = None
    if ports is None or not 1024 <= ports[0] <= ports[1] <= 65535:
        raise ImproperlyConfigured(f"{name} must be a port range like 49160-49200 (1024-65535), got {value!r}")
    return ports


def env_choice(name, default, choices):
    value = os.environ.get(name, default).strip()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value
