"""Loaded with `-p` before Django is set up: test defaults for settings read from the environment.

Tests talk plain HTTP to the test client, so HTTPS-only cookies and redirects are off.

Under pytest-xdist each worker (gw0, gw1, ...) is a process of its own that must not share state with
the others: pytest-django gives it its own database (test_<name>_gw<N>), and this gives it its own
folder under var/ and its own Redis database (the base one plus N), because `cache.clear()` empties a
whole Redis database and the live rooms' keys carry no per-process prefix.
"""

import os
from urllib.parse import urlsplit, urlunsplit

REDIS_DATABASES = 16  # redis-server's default `databases`


def worker_number():
    """N of xdist's worker gwN, or None when tests run in one process."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker.removeprefix("gw")) if worker.startswith("gw") else None


def redis_url_for_worker(url, worker):
    """`url` with its database number moved up by `worker`: redis://host/9 -> redis://host/(9 + worker)."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    database = base + worker
    if database >= REDIS_DATABASES:
        raise RuntimeError(
            f"xdist worker gw{worker} would need Redis database {database} (base {base}): "
            "use fewer workers or a lower base"
        )
    return urlunsplit(parts._replace(path=f"/{database}"))


os.environ.setdefault("HTTPS", "0")
# One key for the test process and every server it starts, as production replicas share theirs.
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))

_worker = worker_number()
if _worker is not None:
    os.environ["VAR_DIR"] = os.path.join(os.environ["VAR_DIR"], f"gw{_worker}")
    for _name in ("REDIS_URL", "TEST_REDIS_URL"):
        if os.environ.get(_name, "").startswith("redis://"):
            os.environ[_name] = redis_url_for_worker(os.environ[_name], _worker)
