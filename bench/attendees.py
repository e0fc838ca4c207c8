"""Registered, signed-in attendees made in bulk, for load tests (`manage.py make_attendees`, bench/run.py).

A load test needs thousands of people who can open a room's websocket. Logging
each in over HTTP would take minutes and trip the login throttle, so the rows
a real sign-in leaves behind (user, profile, registration, session) are
written directly, a few statements per thousand attendees.
"""

import string
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from events.models import Profile, Registration
from events.signals import people_registered
from summit.errors import Invalid

User = get_user_model()

BATCH_SIZE = 1000
MAX_ATTENDEES = 100_000
# The characters SessionBase uses for its own keys, so our keys look like any other.
SESSION_KEY_CHARS = string.ascii_lowercase + string.digits
AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


def check_attendee_count(count):
    if not 1 <= count <= MAX_ATTENDEES:
        raise Invalid(f"COUNT must be between 1 and {MAX_ATTENDEES}, got {count}.")
    return count


def _session_store_class():
    """The configured engine's store; only database-backed engines can be filled in bulk."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):
        raise Invalid(f"make_attendees needs a database-backed SESSION_ENGINE, not {settings.SESSION_ENGINE}.")
    return store_class


def do_make_attendees(summit, count):
    """Creates `count` attendees of `summit`, each signed in; returns [{id, email, sessionid}]."""
    check_attendee_count(count)
    store_class = _session_store_class()
    session_model = store_class.get_model_class()
    encoder = store_class()
    batch = get_random_string(8, SESSION_KEY_CHARS)
    expire_date = timezone.now() + timezone.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    # One unusable password for all: it never authenticates, and hashing 5,000 would take minutes.
    unusable = make_password(None)
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(username=f"load-{batch}-{i}", email=f"load-{batch}-{i}@loadtest.invalid", password=unusable)
                for i in range(count)
            ],
            batch_size=BATCH_SIZE,
        )
        Profile.objects.bulk_create(
            [Profile(user=user, name=f"Load tester {i}", timezone="UTC") for i, user in enumerate(users)],
            batch_size=BATCH_SIZE,
        )
        Registration.objects.bulk_create(
            [Registration(summit=summit, user=user, role=Registration.Role.ATTENDEE) for user in users],
            batch_size=BATCH_SIZE,
        )
        people_registered.send(Registration, summit=summit)
        sessions = []
        for user in users:
            data = {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: AUTH_BACKEND,
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
            sessions.append(
                session_model(
                    session_key=get_random_string(32, SESSION_KEY_CHARS),
                    session_data=encoder.encode(data),
                    expire_date=expire_date,
                )
            )
        session_model.objects.bulk_create(sessions, batch_size=BATCH_SIZE)
    return [
        {"id": user.pk, "email": user.email, "sessionid": session.session_key}
        for user, session in zip(users, sessions, strict=True)
    ]


def do_delete_attendees():
    """Removes every attendee made by do_make_attendees (their sessions expire on their own)."""
    return User.objects.filter(email__endswith="@loadtest.invalid").delete()
