"""Login CSRF: nothing signs a browser in without the CSRF token, and the API takes only JSON bodies.

A cross-site page can post an `enctype=text/plain` form whose body happens to be JSON, with the
victim's cookies; it can send neither the token nor a JSON content type.
"""

import json

import pytest
from django.test import Client

from events.models import Profile
from tests.conftest import csrf_headers, make_person

pytestmark = pytest.mark.django_db

ATTACKER = {"username": "organiser", "password": "correct horse battery"}
NEWCOMER = {"name": "Mallory", "email": "mallory@example.org", "timezone": "UTC", "language": "en"}


def cross_site_text_plain(client, path, fields):
    """What `<form enctype="text/plain" method="post">` on another site sends: name=value, here valid JSON."""
    body = json.dumps(fields)[:-1] + ', "x": "="}'
    return client.post(path, body, content_type="text/plain", headers={"Origin": "https://evil.example"})


def test_cross_site_text_plain_form_cannot_sign_in_through_the_api(organiser):
    victim = Client(enforce_csrf_checks=True)
    response = cross_site_text_plain(victim, "/api/auth/login/", ATTACKER)
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert "sessionid" not in response.cookies


def test_cross_site_text_plain_form_cannot_register_and_sign_in(summit):
    victim = Client(enforce_csrf_checks=True)
    response = cross_site_text_plain(victim, "/api/summits/roadshow/registrations/", NEWCOMER)
    assert response.status_code == 403
    assert "sessionid" not in response.cookies
    assert not Profile.objects.exists()


def test_login_with_the_token_but_not_json_is_415(organiser):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/auth/login/", json.dumps(ATTACKER), content_type="text/plain", headers=csrf_headers(client)
    )
    assert response.status_code == 415
    assert response.json()["detail"]
    assert "sessionid" not in response.cookies


def test_login_with_the_token_and_json_signs_in(organiser):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/auth/login/", ATTACKER, content_type="application/json", headers=csrf_headers(client))
    assert response.status_code == 200
    assert "sessionid" in response.cookies


def test_login_without_the_token_is_403_even_as_json(organiser):
    client = Client(enforce_csrf_checks=True)
    client.get("/api/auth/csrf/")  # the cookie alone proves nothing: a forged request carries it too
    response = client.post("/api/auth/login/", ATTACKER, content_type="application/json")
    assert response.status_code == 403


def test_every_unsafe_api_request_needs_the_token(attendee_client, keynote):
    response = attendee_client.post(f"/api/sessions/{keynote.pk}/bookmark/")
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/signin/", {"username": "organiser", "password": "correct horse battery"}),
        ("/summits/roadshow/register/", NEWCOMER),
        ("/admin/login/", {"username": "organiser", "password": "correct horse battery"}),
    ],
)
def test_page_forms_that_sign_in_need_the_token(organiser, path, fields):
    client = Client(enforce_csrf_checks=True)
    response = client.post(path, fields, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert "sessionid" not in response.cookies


def test_sign_in_link_button_needs_the_token(summit, django_capture_on_commit_callbacks):
    import re

    from django.core import mail

    person = make_person("linked")
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/signin/", {"email": person.email})
    path = "/signin/" + re.search(r"/signin/(\S+)/", mail.outbox[-1].body).group(1) + "/"
    forged = Client(enforce_csrf_checks=True).post(path)
    assert forged.status_code == 403
    assert Client().post(path).status_code == 302  # the link was not spent by the forged request
