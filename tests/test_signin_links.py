"""A mailed sign-in link works once, is void once a newer one is sent or the person signs in, and is
mailed by a worker in the person's language, never inside the request."""

import re

import pytest
from django.core import mail
from django.test import Client, override_settings

from events.models import Registration, SigninLink
from tests.conftest import csrf_headers, make_person

pytestmark = pytest.mark.django_db


def ask_for_link(email, on_commit):
    """The sign-in page's 'mail me a link' form; returns the path of the link mailed, if any."""
    before = len(mail.outbox)
    with on_commit(execute=True):
        response = Client().post("/signin/", {"email": email})
    assert response.status_code == 202
    if len(mail.outbox) == before:
        return None
    return "/signin/" + re.search(r"/signin/(\S+)/", mail.outbox[-1].body).group(1) + "/"


@pytest.fixture
def known(summit):
    user = make_person("known", name="Known Person", language="fr")
    Registration.objects.create(summit=summit, user=user)
    return user


def test_link_signs_in_only_after_a_click_on_the_page(known, django_capture_on_commit_callbacks):
    path = ask_for_link(known.email, django_capture_on_commit_callbacks)
    visitor = Client()
    assert visitor.get(path).status_code == 200
    assert visitor.get("/summits/roadshow/agenda/").status_code == 302  # a GET alone signs nobody in
    assert visitor.post(path).status_code == 302
    assert visitor.get("/summits/roadshow/agenda/").status_code == 200


def test_link_works_once(known, django_capture_on_commit_callbacks):
    path = ask_for_link(known.email, django_capture_on_commit_callbacks)
    assert Client().post(path).status_code == 302
    second = Client()
    response = second.post(path)
    assert response.status_code == 422
    assert second.get("/summits/roadshow/agenda/").status_code == 302
    assert Client().get(path).status_code == 422


def test_a_newer_link_voids_the_older_one(known, django_capture_on_commit_callbacks):
    older = ask_for_link(known.email, django_capture_on_commit_callbacks)
    newer = ask_for_link(known.email, django_capture_on_commit_callbacks)
    assert older != newer
    assert Client().post(older).status_code == 422
    assert Client().post(newer).status_code == 302


def test_signing_in_with_a_password_voids_links_already_mailed(known, django_capture_on_commit_callbacks):
    known.set_password("correct horse battery")
    known.save()
    path = ask_for_link(known.email, django_capture_on_commit_callbacks)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/auth/login/",
        {"username": "known", "password": "correct horse battery"},
        content_type="application/json",
        headers=csrf_headers(client),
    )
    assert response.status_code == 200
    assert Client().post(path).status_code == 422


def test_link_mailed_after_a_registration_joins_that_summit(summit, django_capture_on_commit_callbacks):
    user = make_person("elsewhere")
    client = Client(enforce_csrf_checks=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/summits/roadshow/registrations/",
            {"name": "Someone", "email": user.email, "timezone": "UTC", "language": "en"},
            content_type="application/json",
            headers=csrf_headers(client),
        )
    assert response.status_code == 202
    path = "/signin/" + re.search(r"/signin/(\S+)/", mail.outbox[-1].body).group(1) + "/"
    assert Client().post(path)["Location"] == "/summits/roadshow/"
    assert Registration.objects.filter(summit=summit, user=user).exists()


def test_mail_leaves_from_a_task_once_the_request_committed(known, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = Client().post("/signin/", {"email": known.email})
    assert response.status_code == 202
    assert mail.outbox == []  # nothing was sent inside the request
    assert len(callbacks) == 1
    callbacks[0]()
    assert [message.to for message in mail.outbox] == [[known.email]]


def test_mail_is_in_the_persons_language(known, django_capture_on_commit_callbacks):
    ask_for_link(known.email, django_capture_on_commit_callbacks)
    assert mail.outbox[-1].subject == "Votre lien de connexion"


def test_task_for_a_replaced_link_sends_nothing(known, django_capture_on_commit_callbacks):
    from events.signin import do_send_signin_link

    with django_capture_on_commit_callbacks(execute=False) as first:
        Client().post("/signin/", {"email": known.email})
    ask_for_link(known.email, django_capture_on_commit_callbacks)
    sent = len(mail.outbox)
    first[0]()  # the older request's task, delivered late
    assert len(mail.outbox) == sent
    link = SigninLink.objects.get(user=known)
    assert do_send_signin_link(link.pk) == "already sent"
    assert len(mail.outbox) == sent


def test_tampered_link_is_refused(db):
    response = Client().get("/signin/not-a-real-token/")
    assert response.status_code == 422
    assert b"expired" in response.content


def test_expired_link_is_refused(known, django_capture_on_commit_callbacks):
    path = ask_for_link(known.email, django_capture_on_commit_callbacks)
    with override_settings(SIGNIN_LINK_MAX_AGE=0):
        assert Client().post(path).status_code == 422


def test_link_of_a_deactivated_person_is_refused(known, django_capture_on_commit_callbacks):
    path = ask_for_link(known.email, django_capture_on_commit_callbacks)
    known.is_active = False
    known.save()
    assert Client().post(path).status_code == 422
