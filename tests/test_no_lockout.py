"""No stranger locks anyone out: strangers are throttled, the owner's own browser and mailed links are not.

A browser that signed in to an account carries a signed device cookie; its password attempts for that
account count against that device only, so strangers failing with the account's name (from anywhere,
the owner's own network included) exhaust their limits, not the owner's. Every way of signing in.
"""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client, override_settings

from tests.test_throttles import admin_login, api_login, page_login

pytestmark = pytest.mark.django_db

RIGHT = "correct horse battery"


@pytest.fixture(autouse=True)
def _an_hours_window(settings):
    """The limit per hour, not per minute: on a loaded machine many slow password checks outlast a minute."""
    settings.THROTTLE_LOGIN = "10/h"


OFFICE = "198.51.100.7"  # the owner's address: strangers on the same network share it


def owners_browser(organiser):
    """The organiser's browser after one successful sign-in: it holds the device cookie."""
    browser = Client()
    assert api_login("organiser", RIGHT, client=browser, address=OFFICE).status_code == 200
    browser.post("/signout/", REMOTE_ADDR=OFFICE)
    assert settings.DEVICE_COOKIE_NAME in browser.cookies
    return browser


def attack(username="organiser", attempts=11):
    """Strangers failing with `username` from many addresses and from the owner's own: all throttled at the end."""
    for n in range(attempts):
        api_login(username, f"guess{n}", address=f"192.0.2.{n}")
    for n in range(attempts):
        api_login(username, f"office-guess{n}", address=OFFICE)
    assert api_login(username, RIGHT, address="192.0.2.250").status_code == 429
    assert api_login(username, RIGHT, address=OFFICE).status_code == 429


def test_the_owners_browser_signs_in_with_the_right_password_while_strangers_are_throttled(organiser):
    browser = owners_browser(organiser)
    attack()
    response = api_login("organiser", RIGHT, client=browser, address=OFFICE)
    assert response.status_code == 200
    assert browser.get("/summits/roadshow/organiser/", REMOTE_ADDR=OFFICE).status_code == 200


def test_the_owners_browser_signs_in_on_the_page_and_the_admin_while_the_account_is_attacked(organiser):
    organiser.is_staff = True
    organiser.save()
    browser = owners_browser(organiser)
    attack()
    page = browser.post("/signin/", {"username": "organiser", "password": RIGHT}, REMOTE_ADDR=OFFICE)
    assert page.status_code == 302
    browser.post("/signout/", REMOTE_ADDR=OFFICE)
    admin = browser.post("/admin/login/?next=/admin/", {"username": "organiser", "password": RIGHT}, REMOTE_ADDR=OFFICE)
    assert admin.status_code == 302 and admin["Location"] == "/admin/"
    # Strangers still get nowhere, on every way in.
    assert page_login("organiser", RIGHT, address="192.0.2.251").status_code == 429
    assert admin_login("organiser", RIGHT, address="192.0.2.252").status_code == 429


def test_the_owners_browser_is_itself_throttled_when_it_guesses(organiser):
    browser = owners_browser(organiser)
    statuses = [api_login("organiser", f"wrong{n}", client=browser).status_code for n in range(11)]
    assert statuses == [401] * 10 + [429]
    assert api_login("organiser", RIGHT, client=browser).status_code == 429


def test_a_device_cookie_counts_only_for_the_account_it_signed_in(organiser, attendee_paris):
    attendee_paris.set_password("another good password")
    attendee_paris.save()
    browser = Client()
    assert api_login("camille", "another good password", client=browser).status_code == 200
    attack("organiser")
    assert api_login("organiser", RIGHT, client=browser, address="192.0.2.253").status_code == 429


def test_a_forged_or_copied_device_cookie_of_the_wrong_shape_is_a_stranger(organiser):
    attack()
    for forged in ("organiser", "eyJhY2NvdW50IjoiIn0:abc:def", ""):
        stranger = Client()
        stranger.cookies[settings.DEVICE_COOKIE_NAME] = forged
        assert api_login("organiser", RIGHT, client=stranger, address="192.0.2.254").status_code == 429


def test_the_device_cookie_is_http_only_lax_and_set_by_every_way_of_signing_in(
    organiser, attendee_paris, django_capture_on_commit_callbacks
):
    organiser.is_staff = True
    organiser.save()
    api = Client()
    api_login("organiser", RIGHT, client=api)
    page = Client()
    page.post("/signin/", {"username": "organiser", "password": RIGHT})
    admin = Client()
    admin.post("/admin/login/?next=/admin/", {"username": "organiser", "password": RIGHT})
    link = Client()
    with django_capture_on_commit_callbacks(execute=True):
        link.post("/signin/", {"email": attendee_paris.email})
    link.post("/signin/" + re.search(r"/signin/(\S+)/", mail.outbox[-1].body).group(1) + "/")
    for browser in (api, page, admin, link):
        cookie = browser.cookies[settings.DEVICE_COOKIE_NAME]
        assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie.value


def test_a_mailed_sign_in_link_works_while_the_account_is_under_attack(organiser, django_capture_on_commit_callbacks):
    attack()
    visitor = Client()
    with django_capture_on_commit_callbacks(execute=True):
        assert visitor.post("/signin/", {"email": organiser.email}, REMOTE_ADDR=OFFICE).status_code == 202
    path = "/signin/" + re.search(r"/signin/(\S+)/", mail.outbox[-1].body).group(1) + "/"
    assert visitor.post(path, REMOTE_ADDR=OFFICE).status_code == 302
    assert visitor.get("/summits/roadshow/organiser/", REMOTE_ADDR=OFFICE).status_code == 200


@override_settings(THROTTLE_SIGNIN_LINK="2/h")
def test_strangers_asking_for_links_for_a_persons_address_leave_the_last_mailed_link_working(
    attendee_paris, django_capture_on_commit_callbacks
):
    for n in range(5):  # beyond the per-address cap: nothing more is mailed, and nothing is voided
        with django_capture_on_commit_callbacks(execute=True):
            Client().post("/signin/", {"email": attendee_paris.email}, REMOTE_ADDR=f"192.0.2.{n}")
    assert len(mail.outbox) == 2
    newest = "/signin/" + re.search(r"/signin/(\S+)/", mail.outbox[-1].body).group(1) + "/"
    owner = Client()
    assert owner.post(newest, REMOTE_ADDR=OFFICE).status_code == 302
    assert owner.get("/summits/roadshow/agenda/", REMOTE_ADDR=OFFICE).status_code == 200
