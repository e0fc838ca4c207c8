"""Attendees register without a password and are signed in at once; a known email never signs anyone in."""

import pytest
from django.core import mail

from events.models import Profile, Registration
from tests.conftest import csrf_headers, signed_in

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "Li Na",
    "email": "li.na@example.cn",
    "organisation": "Qingdao Devices",
    "country": "CN",
    "timezone": "Asia/Shanghai",
    "language": "zh-hans",
}


def register(client, payload, slug="roadshow"):
    """As the page's script does it: the CSRF token in a header, the body as JSON."""
    return client.post(
        f"/api/summits/{slug}/registrations/", payload, content_type="application/json", headers=csrf_headers(client)
    )


def login(client, username, password):
    return client.post(
        "/api/auth/login/",
        {"username": username, "password": password},
        content_type="application/json",
        headers=csrf_headers(client),
    )


def test_registration_signs_the_attendee_in(anonymous_client, summit):
    response = register(anonymous_client, GOOD)
    assert response.status_code == 201, response.content
    assert response.json()["timezone"] == "Asia/Shanghai"
    assert "sessionid" in response.cookies
    profile = Profile.objects.get(user__email="li.na@example.cn")
    assert (profile.language, profile.country) == ("zh-hans", "CN")
    assert Registration.objects.filter(summit=summit, user=profile.user, role="attendee").exists()
    me = anonymous_client.get("/summits/roadshow/agenda/")
    assert me.status_code == 200


def test_registered_email_gets_a_link_and_no_session(anonymous_client, summit, django_capture_on_commit_callbacks):
    register(anonymous_client, GOOD)
    newcomer = type(anonymous_client)(enforce_csrf_checks=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = register(newcomer, {**GOOD, "email": "LI.NA@example.cn", "name": "Impostor"})
    assert response.status_code == 202
    assert "sessionid" not in response.cookies
    assert newcomer.get("/summits/roadshow/agenda/").status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["li.na@example.cn"]
    assert Profile.objects.get(user__email="li.na@example.cn").name == "Li Na"


@pytest.mark.parametrize(
    "change",
    [
        {"email": "not-an-email"},
        {"email": ""},
        {"name": "   "},
        {"timezone": "Mars/Olympus"},
        {"timezone": "+08:00"},
        {"language": "de"},
        {"country": "France"},
        {"country": "1A"},
    ],
)
def test_invalid_registration_is_422_and_creates_nobody(anonymous_client, summit, change):
    response = register(anonymous_client, {**GOOD, **change})
    assert response.status_code == 422, response.content
    assert "detail" in response.json()
    assert not Profile.objects.exists()


def test_missing_fields_are_422(anonymous_client, summit):
    assert register(anonymous_client, {"name": "Only a name"}).status_code == 422


def test_registration_for_unknown_summit_is_404(anonymous_client, db):
    assert register(anonymous_client, GOOD, slug="nowhere").status_code == 404


def test_password_login_sets_a_session(anonymous_client, organiser):
    response = login(anonymous_client, "organiser", "correct horse battery")
    assert response.status_code == 200
    assert response.cookies["sessionid"]["httponly"]
    assert response.cookies["sessionid"]["samesite"] == "Lax"


def test_wrong_password_is_401(anonymous_client, organiser):
    response = login(anonymous_client, "organiser", "nope")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_registration_page_form_registers_and_signs_in(summit):
    from django.test import Client

    client = Client()
    response = client.post("/summits/roadshow/register/", {**GOOD})
    assert response.status_code == 302
    assert client.get("/summits/roadshow/agenda/").status_code == 200


def test_registration_page_shows_errors_without_storing(summit):
    from django.test import Client

    response = Client().post("/summits/roadshow/register/", {**GOOD, "timezone": "Nowhere/Land"})
    assert response.status_code == 422
    assert b"Nowhere/Land" in response.content
    assert not Profile.objects.exists()


@pytest.mark.parametrize("field", ["name", "organisation"])
def test_nul_characters_are_refused_not_a_500(anonymous_client, summit, field):
    response = register(anonymous_client, {**GOOD, field: "Li\x00Na"})
    assert response.status_code == 422
    assert not Profile.objects.exists()


def test_looking_at_the_register_page_signed_in_registers_nobody(summit, stranger):
    client = signed_in(stranger)
    response = client.get("/summits/roadshow/register/")
    assert response.status_code == 200
    assert not Registration.objects.filter(summit=summit, user=stranger).exists()
    client.get("/api/auth/csrf/")
    response = client.post("/summits/roadshow/register/", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    assert response.status_code == 302
    assert Registration.objects.filter(summit=summit, user=stranger, role=Registration.Role.ATTENDEE).exists()


def test_a_registered_person_opening_the_register_page_goes_to_the_summit(summit, attendee_client):
    response = attendee_client.get("/summits/roadshow/register/")
    assert response.status_code == 302 and response.url == "/summits/roadshow/"
