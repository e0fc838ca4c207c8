"""Named people and a small summit, so tests read like the situation they describe."""

import datetime as dt
import os
import zoneinfo

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from events.models import Company, Profile, Registration, Room, Session, Speaker, Summit, Track
from partnering.models import PartnerProfile
from scheduler import services as reminders

User = get_user_model()
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


# PBKDF2 spends about half a second on each hash, on purpose; tests hash hundreds of passwords, so they hash with
# MD5 first. PBKDF2 stays listed: hashes made by a server process the test started (summit.settings) still check.
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
override_settings(PASSWORD_HASHERS=[FAST_HASHER, *settings.PASSWORD_HASHERS]).enable()


if connection.vendor == "postgresql":
    from tests.databases import flush_by_delete

    flush_by_delete()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The test database is a copy of one migrated template (tests/databases.py), not migrated again by
    each worker; Django's own migrate then finds nothing to apply."""
    db = connection.settings_dict
    if connection.vendor == "postgresql" and not db["TEST"].get("TEMPLATE"):
        from tests.databases import migrated_template
        from tests.servers import database_url_for

        db["TEST"]["TEMPLATE"] = migrated_template(database_url_for(connection))
    elif connection.vendor == "sqlite":
        from tests.databases import load_sqlite_template

        load_sqlite_template()


def services_required():
    return os.environ.get("CI") == "true" or os.environ.get("REQUIRE_SERVICES") in ("1", "true")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters must not leak from one test into the next."""
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _tasks_run_inline():
    """A task enqueued on commit runs in-process, as a worker would run it (tests of real workers start their own)."""
    from summit.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def redis_url():
    """A reachable Redis for tests that need one; skipped when absent unless services are required."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
    try:
        redis.Redis.from_url(url, socket_timeout=2).ping()
    except redis.RedisError as error:
        if services_required():
            pytest.fail(f"Redis is required but unreachable at {url}: {error}")
        pytest.skip(f"Redis unreachable at {url}")
    return url


def make_person(
    username,
    *,
    name=None,
    timezone="Europe/Paris",
    language="en",
    country="FR",
    organisation="",
    password=None,
    **user_fields,
):
    user = User.objects.create_user(
        username=username, email=f"{username}@example.org", password=password, **user_fields
    )
    Profile.objects.create(
        user=user,
        name=name or username.title(),
        timezone=timezone,
        language=language,
        country=country,
        organisation=organisation,
    )
    return user


def make_session(summit, room, title, starts_at, minutes=30, **fields):
    return Session.objects.create(
        summit=summit,
        room=room,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
        **fields,
    )


def before(session, minutes):
    return session.starts_at - dt.timedelta(minutes=minutes)


def dispatch_and_send(now, capture):
    """One beat tick: the dispatcher's on-commit enqueues are collected, then run as the worker would."""
    with capture(execute=False) as callbacks:
        ids = reminders.do_dispatch_due_reminders(now=now)
    return ids, [reminders.do_send_reminder(i, now=now) for i in ids], callbacks


def at_paris(day, hhmm):
    hour, minute = map(int, hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)


@pytest.fixture
def summit(db):
    return Summit.objects.create(
        slug="roadshow",
        name="Innovation Roadshow",
        timezone="Europe/Paris",
        languages=["en", "fr", "zh-hans"],
        themes=["AI/ICT", "Medical devices"],
        starts_on=dt.date(2027, 3, 29),
        ends_on=dt.date(2027, 3, 31),
        organised_with="Qingdao High-tech Zone",
        reminder_offsets=[1440, 15],
    )


@pytest.fixture
def fair_vision(summit):
    return Company.objects.create(summit=summit, slug="fair-vision", name="Fair Vision", country="FR")


@pytest.fixture
def main_stage(summit):
    return Room.objects.create(summit=summit, slug="main-stage", name="Main stage", kind=Room.Kind.STAGE)


@pytest.fixture
def pitch_room(summit, fair_vision):
    return Room.objects.create(
        summit=summit,
        slug="fair-vision",
        name="Fair Vision pitch room",
        kind=Room.Kind.PITCH,
        company=fair_vision,
        position=1,
    )


@pytest.fixture
def track(summit):
    return Track.objects.create(summit=summit, slug="ai", name="AI and big data")


@pytest.fixture
def speaker(summit, fair_vision):
    return Speaker.objects.create(
        summit=summit, name="Julien Marchetti", organisation="Fair Vision", company=fair_vision
    )


@pytest.fixture
def keynote(summit, main_stage):
    return make_session(summit, main_stage, "Opening keynote", at_paris(dt.date(2027, 3, 29), "09:00"), 60)


@pytest.fixture
def pitch(summit, pitch_room, fair_vision):
    return make_session(
        summit, pitch_room, "Fair Vision pitch", at_paris(dt.date(2027, 3, 30), "10:00"), 30, company=fair_vision
    )


@pytest.fixture
def organiser(summit):
    user = make_person("organiser", name="Claire Dumas", password="correct horse battery")
    Registration.objects.create(summit=summit, user=user, role=Registration.Role.ORGANISER)
    return user


@pytest.fixture
def attendee_paris(summit):
    user = make_person("camille", name="Camille Bernard", organisation="Inria", language="fr")
    Registration.objects.create(summit=summit, user=user)
    return user


@pytest.fixture
def attendee_shanghai(summit):
    user = make_person(
        "lina",
        name="Li Na",
        timezone="Asia/Shanghai",
        language="zh-hans",
        country="CN",
        organisation="Qingdao Rehabilitation Devices Co.",
    )
    Registration.objects.create(summit=summit, user=user)
    return user


@pytest.fixture
def stranger(db):
    """Signed in, but not registered for the summit."""
    return make_person("stranger", name="Sam Stranger")


def count_queries(fetch):
    """(what `fetch()` returned, how many queries it ran). Tests pin a count by comparing two sizes."""
    with CaptureQueriesContext(connection) as queries:
        result = fetch()
    return result, len(queries.captured_queries)


def signed_in(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@pytest.fixture
def organiser_client(organiser):
    return signed_in(organiser)


@pytest.fixture
def attendee_client(attendee_paris):
    return signed_in(attendee_paris)


@pytest.fixture
def anonymous_client():
    return Client(enforce_csrf_checks=True)


def csrf_headers(client):
    """Fetches a CSRF token the way a browser script would and returns the header to send."""
    client.get("/api/auth/csrf/")
    return {"X-CSRFToken": client.cookies["csrftoken"].value}


# --- live rooms (livechat) ------------------------------------------------------------
# Sockets go through the real summit.asgi application: origin check, session auth, routing.


def session_cookie(user):
    """The `sessionid` value a browser of `user` would send."""
    return signed_in(user).cookies["sessionid"].value


@pytest.fixture
def live_keynote(summit, main_stage):
    """A session on the main stage right now, so questions and attendance attach to it."""
    from django.utils import timezone

    return make_session(summit, main_stage, "Live keynote", timezone.now() - dt.timedelta(minutes=10), 60)


@pytest.fixture
def julien(summit, fair_vision):
    """Fair Vision's own team member, registered for the summit."""
    user = make_person("julien", name="Julien Marchetti", organisation="Fair Vision")
    Registration.objects.create(summit=summit, user=user)
    fair_vision.members.add(user)
    return user


@pytest.fixture
def lina_profile(summit, attendee_shanghai):
    """Li Na's partner card, as registration made it."""
    return PartnerProfile.objects.get(summit=summit, user=attendee_shanghai)


@pytest.fixture
def moderator(summit):
    user = make_person("moderator", name="Mo Derator")
    Registration.objects.create(summit=summit, user=user, role=Registration.Role.MODERATOR)
    return user


@pytest.fixture
def cookies(db):
    """`await cookies(user)` -> the sessionid of a fresh signed-in session of `user`."""
    from channels.db import database_sync_to_async

    return database_sync_to_async(session_cookie)


# --- language ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """A request activates the viewer's language in this thread and leaves it there (as Django's
    LocaleMiddleware does); without this, a later test would run in the last viewer's language."""
    from django.utils import translation

    yield
    translation.deactivate()


# --- partnering ----------------------------------------------------------------------------------


@pytest.fixture
def fair_vision_member(summit, fair_vision):
    """A registered member of Fair Vision's team, who answers for the company."""
    user = make_person("amelie", name="Amélie Roux", organisation="Fair Vision")
    Registration.objects.create(summit=summit, user=user)
    fair_vision.members.add(user)
    return user


# --- the live stage ---------------------------------------------------------------------------------


@pytest.fixture
def presenter(summit, fair_vision):
    """Julien of Fair Vision: a member of the pitching company, registered as a speaker."""
    user = make_person("julien", name="Julien Marchetti", organisation="Fair Vision")
    Registration.objects.create(summit=summit, user=user, role=Registration.Role.SPEAKER)
    fair_vision.members.add(user)
    return user


@pytest.fixture
def live_pitch(summit, pitch_room, fair_vision):
    """Fair Vision's pitch, on in its pitch room right now."""
    from django.utils import timezone

    return make_session(
        summit, pitch_room, "Fair Vision pitch, live", timezone.now() - dt.timedelta(minutes=5), 60, company=fair_vision
    )


@pytest.fixture
def coming_pitch(summit, pitch_room, fair_vision):
    """Fair Vision's pitch, 30 minutes from now, nothing on in its room before it: the backstage hour."""
    from django.utils import timezone

    return make_session(
        summit, pitch_room, "Fair Vision pitch", timezone.now() + dt.timedelta(minutes=30), company=fair_vision
    )


# --- concurrency: threads, each with its own database connection ----------------------------------


@pytest.fixture
def concurrent_db(db):
    """Real concurrent writers need PostgreSQL: the test run's SQLite is one in-memory file shared by threads."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL")


# --- running in parallel (pytest-xdist, `make test`) ------------------------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """A browser module's tests share module-scoped servers and a browser: under `--dist loadgroup` they run
    on one worker, which starts those once, instead of once on every worker that got one of its tests."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


@pytest.fixture
def media_stack(settings, tmp_path):
    """The live stage's real parts for this test (tests/stage_stack.py), stopped after it."""
    from tests.stage_stack import MediaStack

    stack = MediaStack(settings, tmp_path)
    yield stack
    stack.stop_all()


@pytest.fixture
def stage_media_dir(settings, tmp_path):
    """The test's own media folder, and an RTMP port nothing listens on (the stage's API tests)."""
    settings.MEDIA_DIR = tmp_path / "media"
    settings.RTMP_PORT = 19350
