"""Redis gone under a running server: every page and API answers from the database or with a 503, never a 500.

One Daphne as production runs it (DEBUG off, REDIS_URL naming a redis-server of this test's own for the
cache, the live rooms and the Celery broker). The test warms it up while Redis is there, kills Redis, and
asks what a visitor, an attendee and an organiser would ask; and a write the client is told failed must
not have happened (the database agrees with every answer).
"""

import json
import shutil
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
import redis
from django.core.cache.backends.locmem import LocMemCache

from events import schedule_cache, services
from summit.cache import BestEffortCache
from tests.conftest import services_required
from tests.servers import ROOT, free_port, server_database, server_env, start_daphne, stop
from tests.test_live_outage import OwnRedis

SUMMIT = "sophia-qingdao-ai-ict-roadshow"

# Run in the server's database after seed_demo: an attendee with a password, signed in, and a session ahead.
SETUP_SCRIPT = """
import json, django
django.setup()
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils import timezone
from events.models import Profile, Registration, Session, Summit
from django.contrib.auth import get_user_model

summit = Summit.objects.get(slug="%(summit)s")
user = get_user_model().objects.create_user("outage-attendee", "outage@example.org", "right-password-42")
Profile.objects.create(user=user, name="Outage Attendee")
Registration.objects.create(summit=summit, user=user)
ahead = Session.objects.filter(summit=summit, status="published", starts_at__gt=timezone.now())
session = ahead.order_by("starts_at")[0]
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store.save()
print(json.dumps({"cookie": store.session_key, "session_id": session.pk, "room": session.room.slug}))
""" % {"summit": SUMMIT}

BOOKMARKS_SCRIPT = """
import django
django.setup()
from events.models import Bookmark
print(Bookmark.objects.filter(user__username="outage-attendee").count())
"""


class Browser:
    """Plain HTTP with a cookie jar of one site, so each answer's status and body can be looked at."""

    def __init__(self, base, cookies=None):
        self.base = base
        self.cookies = dict(cookies or {})

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        opener = urllib.request.build_opener(NoRedirects)
        try:
            response = opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _eq, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, response.headers, response.read()

    def csrf(self):
        self.request("GET", "/api/auth/csrf/")
        return self.cookies["csrftoken"]


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def run_script(env, script):
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="module")
def server_without_redis(tmp_path_factory):
    """(base URL, the attendee's facts, env) of a Daphne whose Redis was killed after it served with it."""
    if shutil.which("redis-server") is None:
        if services_required():
            pytest.fail("redis-server is required for the outage tests")
        pytest.skip("redis-server not installed")
    tmp_path = tmp_path_factory.mktemp("outage")
    own_redis = OwnRedis()
    own_redis.start()
    database_url, drop_database = server_database(tmp_path, "outage")
    env = server_env(tmp_path, database_url, REDIS_URL=own_redis.url, DEMO_PASSWORD="organiser-password-42")
    env.pop("CELERY_BROKER_URL", None)
    try:
        subprocess.run([sys.executable, "manage.py", "seed_demo"], cwd=ROOT, env=env, check=True, capture_output=True)
        facts = json.loads(run_script(env, SETUP_SCRIPT))
        port = free_port()
        process = start_daphne(port, env, tmp_path / "daphne.log", ready_path="/")
        base = f"http://127.0.0.1:{port}"
        try:
            # Served with Redis first: its connections are pooled, its caches filled, as in production.
            warm = Browser(base, {"sessionid": facts["cookie"]})
            for path in (f"/api/summits/{SUMMIT}/schedule/", f"/summits/{SUMMIT}/schedule/"):
                assert warm.request("GET", path)[0] == 200
                assert Browser(base).request("GET", path)[0] == 200
            assert warm.request("GET", f"/summits/{SUMMIT}/rooms/{facts['room']}/")[0] == 200
            own_redis.stop()
            yield base, facts, env
        finally:
            stop(process)
    finally:
        if own_redis.process.poll() is None:
            own_redis.stop()
        drop_database()


def assert_answered(status, headers, body, path):
    """A 2xx/3xx from the database, or a 503 that says so (JSON `detail` under /api/), never a 500."""
    assert status < 500 or status == 503, f"{path}: {status}\n{body[:2000]!r}"
    if status == 503 and path.startswith("/api/"):
        assert json.loads(body)["detail"], path
        assert headers["Retry-After"]


@pytest.mark.multiprocess
def test_with_redis_gone_pages_and_the_api_answer_and_a_bookmark_is_stored_only_when_the_answer_says_so(
    server_without_redis,
):
    base, facts, env = server_without_redis
    visitor = Browser(base)
    attendee = Browser(base, {"sessionid": facts["cookie"]})
    reads = [
        (visitor, f"/api/summits/{SUMMIT}/schedule/"),
        (visitor, f"/api/summits/{SUMMIT}/schedule/?tz=Asia/Shanghai"),
        (visitor, f"/summits/{SUMMIT}/schedule/"),
        (visitor, f"/summits/{SUMMIT}/"),
        (visitor, "/"),
        (attendee, f"/api/summits/{SUMMIT}/schedule/"),
        (attendee, f"/summits/{SUMMIT}/schedule/"),
        (attendee, f"/summits/{SUMMIT}/rooms/{facts['room']}/"),
        (attendee, f"/api/summits/{SUMMIT}/rooms/{facts['room']}/stage/"),
        (attendee, f"/summits/{SUMMIT}/agenda/"),
    ]
    for who, path in reads:
        status, headers, body = who.request("GET", path)
        assert_answered(status, headers, body, path)
    # The schedule is the programme, which the database holds: it is served, not refused.
    assert visitor.request("GET", f"/api/summits/{SUMMIT}/schedule/")[0] == 200
    assert attendee.request("GET", f"/summits/{SUMMIT}/schedule/")[0] == 200
    assert attendee.request("GET", f"/summits/{SUMMIT}/rooms/{facts['room']}/")[0] == 200

    token = attendee.csrf()
    path = f"/api/sessions/{facts['session_id']}/bookmark/"
    status, headers, body = attendee.request("POST", path, {}, {"X-CSRFToken": token})
    assert_answered(status, headers, body, path)
    stored = int(run_script(env, BOOKMARKS_SCRIPT))
    assert stored == (1 if status in (200, 201) else 0), (status, body)

    page = f"/summits/{SUMMIT}/sessions/{facts['session_id']}/bookmark/"
    status, headers, body = attendee.request(
        "POST",
        page,
        f"csrfmiddlewaretoken={token}&action=remove".encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Referer": base + "/"},
    )
    assert_answered(status, headers, body, page)
    assert int(run_script(env, BOOKMARKS_SCRIPT)) == (0 if status < 400 else stored), (status, body)


@pytest.mark.multiprocess
def test_with_redis_gone_signing_in_answers_503_and_signs_nobody_in(server_without_redis):
    base, _facts, _env = server_without_redis
    api = Browser(base)
    token = api.csrf()
    status, headers, body = api.request(
        "POST",
        "/api/auth/login/",
        {"username": "outage-attendee", "password": "right-password-42"},
        {"X-CSRFToken": token},
    )
    assert_answered(status, headers, body, "/api/auth/login/")
    assert status == 503 and "sessionid" not in api.cookies

    page = Browser(base)
    page.request("GET", "/signin/")
    token = page.cookies["csrftoken"]
    form = f"csrfmiddlewaretoken={token}&username=outage-attendee&password=right-password-42".encode()
    status, headers, body = page.request(
        "POST", "/signin/", form, {"Content-Type": "application/x-www-form-urlencoded", "Referer": base + "/signin/"}
    )
    assert_answered(status, headers, body, "/signin/")
    assert status == 503 and "sessionid" not in page.cookies


@pytest.mark.django_db
def test_a_redis_error_no_service_handled_is_a_json_503_on_the_api_and_a_503_page_elsewhere(
    client, summit, main_stage, keynote, attendee_paris, monkeypatch
):
    def redis_gone(*args, **kwargs):
        raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(services, "do_bookmark", redis_gone)
    client.force_login(attendee_paris)
    api = client.post(f"/api/sessions/{keynote.pk}/bookmark/")
    assert api.status_code == 503 and api["Retry-After"]
    assert api.json()["detail"]
    page = client.post(f"/summits/{summit.slug}/sessions/{keynote.pk}/bookmark/")
    assert page.status_code == 503 and page["Content-Type"].startswith("text/html")


class SwitchableCache(LocMemCache):
    """A local cache that can be 'down': every call raises what redis-py raises for a Redis that is gone."""

    down = False

    def _call(self, name, *args, **kwargs):
        if self.down:
            raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        return getattr(super(), name)(*args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)


def test_schedule_documents_come_from_the_database_while_the_cache_is_down_and_a_missed_change_is_not_forgotten(
    monkeypatch,
):
    backend = SwitchableCache("schedule-outage", {})
    monkeypatch.setattr(schedule_cache, "shared_cache", lambda: BestEffortCache(backend))
    monkeypatch.setattr(schedule_cache, "_served", {})
    monkeypatch.setattr(schedule_cache, "_bump_owed", False)
    programme = ["v1"]
    built = []

    def build():
        built.append(programme[0])
        return programme[0]

    def read():
        return schedule_cache.document("api", "roadshow", "", "en", build)

    assert (read(), read()) == ("v1", "v1") and built == ["v1"]  # built once, then kept
    backend.down = True
    programme[0] = "v2"
    schedule_cache.forget_schedules()  # the programme changed while the cache could not hear of it
    assert (read(), read()) == ("v2", "v2") and built == ["v1", "v2", "v2"]  # from the database each time
    backend.down = False
    assert read() == "v2"  # the owed change is told first: the document kept from v1 is not served
    assert read() == "v2" and built == ["v1", "v2", "v2", "v2"]
