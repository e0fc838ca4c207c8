"""schemathesis against the app itself, anonymously and as an organiser: every check passes.

The OpenAPI document must list every status an endpoint answers and every constraint it enforces,
so that data the schema allows is accepted and data it forbids is refused. Bounded: a few
examples per operation, no stateful phase, so the file runs in a couple of minutes.
"""

import pytest
import schemathesis
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from events.models import Registration
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

CSRF = "schemathesisCsrfToken0123456789a"  # any 32 letters and digits will do as Django's token

# Rules the schema cannot express: that a room, track, company or speaker named exists in the
# summit, that a session ends after it starts and clashes with no other, that office hours end
# after they start. There a schema-valid request may still be refused with 422.
CROSS_FIELD_RULES = [
    "/api/summits/{slug}/sessions/",
    "/api/sessions/{session_id}/",
    "/api/summits/{slug}/partners/me/",
    "/api/summits/{slug}/partners/companies/{company_slug}/",
    "/api/summits/{slug}/meetings/",
    "/api/meetings/{meeting_id}/propose/",
    "/api/summits/{slug}/contact-sharing/",
]


def load(session_id=None):
    config = {
        "generation": {"max-examples": 8},
        "phases": {"stateful": {"enabled": False}},
        "auth": {"auto-signup": False},
        "operations": [
            {
                "include-path": path,
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]
                    }
                },
            }
            for path in CROSS_FIELD_RULES
        ],
    }
    if session_id:
        config["auth"]["openapi"] = {"SessionAuth": {"api_key": session_id}}
    return schemathesis.openapi.from_wsgi(
        "/api/openapi.json", get_wsgi_application(), config=SchemathesisConfig.from_dict(config)
    )


# The organiser's session cookie is fixed in the schema's auth and stored by the test that uses it.
ORGANISER_SESSION = "schemathesisorganisersession0001"
anonymous_schema = load()
organiser_schema = load(ORGANISER_SESSION)


@pytest.fixture(autouse=True)
def _test_connection_stays_open():
    """As Django's test client does: between requests the WSGI handler must not close the connection that
    holds the test's transaction (on PostgreSQL a reconnect inside it is refused)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(summit, main_stage, pitch_room, keynote, pitch):
    return summit


@pytest.fixture
def organiser_signed_in(world):
    """A session under ORGANISER_SESSION, as django.contrib.auth.login would have stored it."""
    person = make_person("schema-organiser", name="Schema Organiser")
    Registration.objects.create(summit=world, user=person, role=Registration.Role.ORGANISER)
    store = SessionStore(session_key=ORGANISER_SESSION)
    store.update(
        {
            SESSION_KEY: str(person.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: person.get_session_auth_hash(),
        }
    )
    store.save(must_create=True)
    return person


def call(case):
    case.cookies = {**(case.cookies or {}), "csrftoken": CSRF}
    case.call_and_validate(headers={"X-CSRFToken": CSRF})


@anonymous_schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_api_answers_as_documented_to_anyone(world, case):
    call(case)


@organiser_schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_api_answers_as_documented_to_an_organiser(organiser_signed_in, case):
    call(case)
