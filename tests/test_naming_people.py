"""Naming a juror or a company's member by email: only people registered for the summit, and never a probe of
whether someone else's account exists (an invitation to register is mailed instead)."""

import json

import pytest
from django.core import mail

from events.models import Company
from judging.models import Juror
from tests.conftest import csrf_headers

pytestmark = pytest.mark.django_db

JURY = "/api/summits/roadshow/judging/jury/"
INVITE = "/api/summits/roadshow/invitations/"
NOBODY = "nobody@example.org"


def put(client, url, body):
    return client.put(url, json.dumps(body), content_type="application/json", headers=csrf_headers(client))


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json", headers=csrf_headers(client))


def answer_without(response, email):
    """The answer with the one address taken out: what must not differ between an account and no account."""
    return response.status_code, response.content.decode().replace(email, "EMAIL")


def test_a_jury_naming_an_unregistered_account_answers_as_for_no_account(organiser_client, stranger, attendee_paris):
    with_account = put(organiser_client, JURY, {"emails": [attendee_paris.email, stranger.email]})
    without = put(organiser_client, JURY, {"emails": [attendee_paris.email, NOBODY]})
    assert with_account.status_code == 422
    assert stranger.email in with_account.json()["detail"]
    assert answer_without(with_account, stranger.email) == answer_without(without, NOBODY)
    assert stranger.profile.name not in with_account.content.decode()
    assert not Juror.objects.exists()


def test_registered_people_are_named_jurors_by_email_in_any_case(organiser_client, attendee_paris, organiser):
    response = put(organiser_client, JURY, {"emails": [attendee_paris.email.upper(), organiser.email]})
    assert response.status_code == 200, response.content
    assert {j["email"] for j in response.json()["jurors"]} == {attendee_paris.email, organiser.email}


def test_company_members_are_registered_people_and_an_account_is_not_told_apart(
    organiser_client, summit, fair_vision, stranger, attendee_paris
):
    url = f"/summits/roadshow/organiser/programme/companies/{fair_vision.pk}/"

    def save(emails):
        data = {
            "name_en": "Fair Vision",
            "slug": "fair-vision",
            "country": "FR",
            "website": "",
            "member_emails": emails,
        }
        return organiser_client.post(url, data, headers=csrf_headers(organiser_client))

    with_account = save(f"{attendee_paris.email}\n{stranger.email}")
    without = save(f"{attendee_paris.email}\n{NOBODY}")
    assert with_account.status_code == 422
    assert f"Not registered for this summit: {stranger.email}." in with_account.content.decode()
    assert f"Not registered for this summit: {NOBODY}." in without.content.decode()
    assert not Company.objects.get(pk=fair_vision.pk).members.exists()


def test_an_invitation_to_register_is_mailed_alike_to_an_account_and_to_no_account(
    organiser_client, stranger, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with_account = post(organiser_client, INVITE, {"emails": [stranger.email]})
        without = post(organiser_client, INVITE, {"emails": [NOBODY]})
    assert with_account.status_code == without.status_code == 202
    assert answer_without(with_account, stranger.email) == answer_without(without, NOBODY)
    assert [m.to for m in mail.outbox] == [[stranger.email], [NOBODY]]
    bodies = [m.body.replace(m.to[0], "EMAIL") for m in mail.outbox]
    assert bodies[0] == bodies[1] and "/summits/roadshow/" in bodies[0]


def test_only_organisers_invite_and_a_malformed_address_is_refused(organiser_client, attendee_client):
    assert post(attendee_client, INVITE, {"emails": [NOBODY]}).status_code == 403
    response = post(organiser_client, INVITE, {"emails": ["not an address"]})
    assert response.status_code == 422 and "not an address" in response.json()["detail"]


def test_the_jury_page_keeps_what_was_typed_and_offers_to_invite_the_others(
    organiser_client, attendee_paris, django_capture_on_commit_callbacks
):
    organiser_client.get("/summits/roadshow/judging/")
    typed = f"{attendee_paris.email}\n{NOBODY}"
    response = organiser_client.post(
        "/summits/roadshow/judging/",
        {"emails": typed, "action": "save", "csrfmiddlewaretoken": organiser_client.cookies["csrftoken"].value},
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert f"{attendee_paris.email}\n{NOBODY}</textarea>" in page
    assert f"Not registered for this summit: {NOBODY}." in page and 'value="invite"' in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(
            "/summits/roadshow/judging/",
            {"emails": NOBODY, "action": "invite", "csrfmiddlewaretoken": organiser_client.cookies["csrftoken"].value},
        )
    assert [m.to for m in mail.outbox] == [[NOBODY]]
