"""Attendees register without a password and are signed in at once; a known email never signs anyone in."""

import re

import pytest
from django.core import mail
from django.test import override_settings

from events.models import Profile, Registration
from tests.conftest import make_person, signed_in

pytestmark = pytest.mark.django_db

GOOD = {"name": "Li Na", "email": "li.na@example.cn", "organisation": "Qingdao Devices", "country": "CN",
        "timezone": "Asia/Shanghai", "language": "zh-hans"}


def register(client, payload, slug="roadshow", **extra):
    return client.post(f"/api/summits/{slug}/registrations/", payload, content_type="application/json", **extra)


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


def test_registered_email_gets_a_link_and_no_session(anonymous_client, summit):
    register(anonymous_client, GOOD)
    newcomer = type(anonymous_client)(enforce_csrf_checks=True)
    response = register(newcomer, {**GOOD, "email": "LI.NA@example.cn", "name": "Impostor"})
    assert response.status_code == 202
    assert "sessionid" not in response.cookies
    assert newcomer.get("/summits/roadshow/agenda/").status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["li.na@example.cn"]
    assert Profile.objects.get(user__email="li.na@example.cn").name == "Li Na"


def test_mailed_link_signs_in_only_after_a_click_and_registers_for_the_summit(anonymous_client, summit):
    user = make_person("known", name="Known Person")
    register(anonymous_client, {**GOOD, "email": user.email})
    link = re.search(r"https?://\S+/signin/(\S+)/", mail.outbox[0].body)
    path = f"/signin/{link.group(1)}/"
    visitor = type(anonymous_client)()
    assert visitor.get(path).status_code == 200
    assert visitor.get("/summits/roadshow/agenda/").status_code == 302  # a GET alone signs nobody in
    response = visitor.post(path)
    assert response.status_code == 302
    assert Registration.objects.filter(summit=summit, user=user).exists()
    assert visitor.get("/summits/roadshow/agenda/").status_code == 200


def test_tampered_sign_in_link_is_refused(anonymous_client, db):
    response = anonymous_client.get("/signin/not-a-real-token/")
    assert response.status_code == 422
    assert b"expired" in response.content


@override_settings(SIGNIN_LINK_MAX_AGE=-1)
def test_expired_sign_in_link_is_refused(anonymous_client, summit):
    from events.services import signin_token

    user = make_person("late")
    assert anonymous_client.get(f"/signin/{signin_token(user, summit)}/").status_code == 422


@pytest.mark.parametrize("change", [
    {"email": "not-an-email"},
    {"email": ""},
    {"name": "   "},
    {"timezone": "Mars/Olympus"},
    {"timezone": "+08:00"},
    {"language": "de"},
    {"country": "France"},
    {"country": "1A"},
])
def test_invalid_registration_is_422_and_creates_nobody(anonymous_client, summit, change):
    response = register(anonymous_client, {**GOOD, **change})
    assert response.status_code == 422, response.content
    assert "detail" in response.json()
    assert not Profile.objects.exists()


def test_missing_fields_are_422(anonymous_client, summit):
    assert register(anonymous_client, {"name": "Only a name"}).status_code == 422


def test_registration_for_unknown_summit_is_404(anonymous_client, db):
    assert register(anonymous_client, GOOD, slug="nowhere").status_code == 404


@override_settings(THROTTLE_REGISTRATION="3/h")
def test_mass_registration_from_one_client_is_throttled(anonymous_client, summit):
    for n in range(3):
        assert register(anonymous_client, {**GOOD, "email": f"p{n}@example.org"}).status_code == 201
        anonymous_client.cookies.clear()
    response = register(anonymous_client, {**GOOD, "email": "p9@example.org"})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert not Profile.objects.filter(user__email="p9@example.org").exists()


def test_password_login_sets_a_session(anonymous_client, organiser):
    response = anonymous_client.post("/api/auth/login/", {"username": "organiser", "password": "correct horse battery"},
                                     content_type="application/json")
    assert response.status_code == 200
    assert response.cookies["sessionid"]["httponly"]
    assert response.cookies["sessionid"]["samesite"] == "Lax"


def test_wrong_password_is_401(anonymous_client, organiser):
    response = anonymous_client.post("/api/auth/login/", {"username": "organiser", "password": "nope"},
                                     content_type="application/json")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_repeated_failed_logins_are_throttled(anonymous_client, organiser):
    statuses = [
        anonymous_client.post("/api/auth/login/", {"username": "organiser", "password": f"guess{n}"},
                              content_type="application/json").status_code
        for n in range(12)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[-1] == 429


def test_registration_page_form_registers_and_signs_in(summit):
    from django.test import Client

    client = Client()
    response = client.post("/summits/roadshow/register/", {**GOOD})
    assert response.status_code == 302
    assert client.get("/summits/roadshow/agenda/").status_code == 200


@override_settings(THROTTLE_SIGNIN_LINK="2/h")
def test_sign_in_link_requests_are_throttled_with_retry_after(summit):
    from django.test import Client

    client = Client()
    statuses = [client.post("/signin/", {"email": "someone@example.org"}).status_code for _ in range(3)]
    assert statuses == [202, 202, 429]
    assert 0 < int(client.post("/signin/", {"email": "x@example.org"}).headers["Retry-After"]) <= 3600


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
