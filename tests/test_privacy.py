"""A visitor's contact reaches a company's leads only after they agreed; a person can take their data
away as JSON and delete their account, leaving what they wrote in rooms under "deleted user"."""

import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from events.models import AgendaFeed, Bookmark, Profile, Registration, SigninLink
from livechat import services as live
from livechat.models import Attendance, ChatMessage, Question, RoomEvent
from partnering import services as partnering
from partnering.models import ContactSharing, PartnerProfile
from scheduler.models import Notification
from tests.conftest import csrf_headers, signed_in

pytestmark = pytest.mark.django_db

User = get_user_model()
NOW = dt.datetime(2027, 3, 31, 12, 0, tzinfo=dt.UTC)
LEADS = "/summits/roadshow/partnering/companies/fair-vision/leads/"
CSV = "/api/summits/roadshow/companies/fair-vision/leads.csv"
SHARING = "/api/summits/roadshow/contact-sharing/"


@pytest.fixture
def team(fair_vision):
    member = User.objects.create_user("julien", email="julien@fairvision.example")
    Profile.objects.create(user=member, name="Julien")
    Registration.objects.create(summit=fair_vision.summit, user=member)
    fair_vision.members.add(member)
    return member


@pytest.fixture
def visits(pitch_room, attendee_paris, attendee_shanghai):
    """Camille and Li Na each spent ten minutes in Fair Vision's pitch room."""
    start = dt.datetime(2027, 3, 30, 8, 0, tzinfo=dt.UTC)
    for person in (attendee_paris, attendee_shanghai):
        Attendance.objects.create(
            user=person, room=pitch_room, joined_at=start, left_at=start + dt.timedelta(minutes=10)
        )


def put_sharing(client, payload):
    return client.put(SHARING, payload, content_type="application/json", headers=csrf_headers(client))


# --- leads only with consent ---------------------------------------------------------------------


def test_a_visitor_who_did_not_agree_is_counted_but_never_named(summit, fair_vision, visits, team):
    rows = partnering.leads(summit, [fair_vision], now=NOW)[fair_vision.pk]
    assert [(row["name"], row["email"], row["visits"]) for row in rows] == [("", "", 1), ("", "", 1)]
    page = signed_in(team).get(LEADS).content.decode()
    assert "Camille" not in page and "camille@example.org" not in page and "Li Na" not in page
    assert "Visitors who did not share their contact: 2 (counted anonymously: 2 visits" in page
    assert "camille@example.org" not in signed_in(team).get(CSV).content.decode()


def test_a_hidden_partner_card_without_consent_stays_out_of_the_csv(
    summit, fair_vision, visits, team, attendee_shanghai
):
    card = partnering.my_profile(attendee_shanghai, summit)
    partnering.do_update_profile(attendee_shanghai, card, partnering.ProfileChange(visible=False))
    body = signed_in(team).get(CSV).content.decode()
    assert "Li Na" not in body and "lina@example.org" not in body


def test_agreeing_once_for_the_summit_names_the_visitor_to_every_company(
    summit, fair_vision, visits, team, attendee_paris
):
    client = signed_in(attendee_paris)
    response = put_sharing(client, {"summit": True})
    assert response.status_code == 200
    assert response.json() == {"summit": True, "companies": {}}
    body = signed_in(team).get(CSV).content.decode()
    assert "camille@example.org" in body and "lina@example.org" not in body


def test_a_choice_for_one_company_wins_over_the_summit_wide_one(summit, fair_vision, visits, team, attendee_paris):
    client = signed_in(attendee_paris)
    put_sharing(client, {"summit": True})
    assert put_sharing(client, {"companies": {"fair-vision": False}}).json() == {
        "summit": True,
        "companies": {"fair-vision": False},
    }
    assert "camille@example.org" not in signed_in(team).get(CSV).content.decode()
    assert client.get(SHARING).json() == {"summit": True, "companies": {"fair-vision": False}}


def test_the_choice_can_be_withdrawn(summit, fair_vision, visits, team, attendee_paris):
    client = signed_in(attendee_paris)
    put_sharing(client, {"companies": {"fair-vision": True}})
    assert "camille@example.org" in signed_in(team).get(CSV).content.decode()
    put_sharing(client, {"companies": {"fair-vision": False}})
    assert "camille@example.org" not in signed_in(team).get(CSV).content.decode()


def test_sharing_with_an_unknown_company_is_422(summit, attendee_paris):
    response = put_sharing(signed_in(attendee_paris), {"companies": {"nobody": True}})
    assert response.status_code == 422
    assert not ContactSharing.objects.exists()


def test_company_page_offers_the_choice_and_saves_it(summit, fair_vision, organiser):
    client = signed_in(organiser)
    page = client.get("/summits/roadshow/companies/fair-vision/").content.decode()
    assert "counts your visits anonymously" in page
    page_url = "/summits/roadshow/companies/fair-vision/"
    response = client.post(
        "/summits/roadshow/partnering/contact-sharing/",
        {"company": "fair-vision", "shared": "1", "next": page_url},
        headers=csrf_headers(client),
    )
    assert response.status_code == 302
    assert ContactSharing.objects.get(user=organiser, company=fair_vision).shared is True
    assert "Stop sharing my contact" in client.get("/summits/roadshow/companies/fair-vision/").content.decode()


def test_privacy_page_lists_each_company_with_the_choice(summit, fair_vision, organiser):
    page = signed_in(organiser).get("/me/data/").content.decode()  # in English, the organiser's language
    assert "Fair Vision" in page and "Share with every company of this summit" in page


# --- export -----------------------------------------------------------------------------------------


@pytest.fixture
def talkative(summit, main_stage, keynote, attendee_paris, fair_vision):
    """Camille bookmarked the keynote, chatted, asked a question, visited and agreed to share with Fair Vision."""
    Bookmark.objects.create(user=attendee_paris, session=keynote)
    live.do_send_chat_message(attendee_paris.pk, main_stage.pk, "Bonjour à tous")
    live.do_ask_question(attendee_paris.pk, main_stage.pk, live.ATTENDEE, "Quand sort le produit ?")
    partnering.do_set_contact_sharing(attendee_paris, summit, companies={"fair-vision": True})
    partnering.do_create_missing_profiles(summit)
    return attendee_paris


def test_export_holds_all_of_a_persons_data(talkative, keynote):
    response = signed_in(talkative).get("/api/me/export/")
    assert response.status_code == 200
    data = response.json()
    assert data["profile"]["name"] == "Camille Bernard"
    assert data["account"]["email"] == "camille@example.org"
    assert [r["summit"] for r in data["registrations"]] == ["roadshow"]
    assert [a["session"] for a in data["agenda"]] == [keynote.pk]
    assert [m["body"] for m in data["chat_messages"]] == ["Bonjour à tous"]
    assert [q["body"] for q in data["questions"]] == ["Quand sort le produit ?"]
    assert data["contact_sharing"] == [
        {
            "summit": "roadshow",
            "company": "fair-vision",
            "shared": True,
            "chosen_at": data["contact_sharing"][0]["chosen_at"],
        }
    ]
    assert [p["summit"] for p in data["partnering_profiles"]] == ["roadshow"]
    assert data["meetings"] == []


def test_export_page_is_a_json_download(talkative):
    response = signed_in(talkative).get("/me/data/export.json")
    assert response["Content-Disposition"] == 'attachment; filename="my-summit-data.json"'
    assert json.loads(response.content)["chat_messages"][0]["body"] == "Bonjour à tous"


def test_export_is_for_the_signed_in_person_only(db):
    assert Client().get("/api/me/export/").status_code == 401


# --- deletion -----------------------------------------------------------------------------------


def delete_me(client, confirm):
    return client.delete(
        "/api/me/", {"confirm": confirm}, content_type="application/json", headers=csrf_headers(client)
    )


def test_deletion_needs_the_email_typed(talkative):
    client = signed_in(talkative)
    response = delete_me(client, "someone-else@example.org")
    assert response.status_code == 403
    assert User.objects.get(pk=talkative.pk).is_active


def test_deleted_account_leaves_its_words_under_deleted_user_and_nothing_that_names_it(
    talkative, main_stage, fair_vision, summit
):
    client = signed_in(talkative)
    other_browser = signed_in(talkative)
    response = delete_me(client, "Camille@Example.org")
    assert response.status_code == 200
    user = User.objects.get(pk=talkative.pk)
    assert not user.is_active and user.email == "" and "camille" not in user.username
    assert not Profile.objects.filter(user=user).exists()
    assert not PartnerProfile.objects.filter(user=user).exists()
    assert not Registration.objects.filter(user=user).exists()
    assert not Bookmark.objects.filter(user=user).exists()
    assert not ContactSharing.objects.filter(user=user).exists()
    assert ChatMessage.objects.filter(author=user).count() == 1  # the words stay in the room
    assert Question.objects.filter(author=user).count() == 1
    for event in RoomEvent.objects.filter(room=main_stage):
        assert event.payload["author"] == {"id": None, "name": "", "organisation": "", "deleted": True}
        assert "Camille" not in json.dumps(event.payload)
    assert other_browser.get("/api/me/agenda/").status_code == 401  # signed out everywhere
    assert client.get("/api/me/agenda/").status_code == 401


def test_deleting_an_account_removes_its_notifications_agenda_feed_and_signin_link(talkative, summit, stranger):
    AgendaFeed.objects.create(user=talkative, token="camilles-calendar-feed")
    SigninLink.objects.create(user=talkative, summit=summit, token_digest="0" * 64)
    Notification.objects.create(user=talkative, kind="meeting", title="Li Na accepted your meeting")
    Notification.objects.create(user=stranger, kind="meeting", title="Someone else's notice")
    assert AgendaFeed.objects.filter(user=talkative).count() == 1
    assert SigninLink.objects.filter(user=talkative).count() == 1
    assert Notification.objects.filter(user=talkative).count() == 1
    assert delete_me(signed_in(talkative), "camille@example.org").status_code == 200
    assert not AgendaFeed.objects.filter(user=talkative).exists()
    assert not SigninLink.objects.filter(user=talkative).exists()
    assert not Notification.objects.filter(user=talkative).exists()
    assert Notification.objects.filter(user=stranger).count() == 1  # only theirs


def test_room_shows_a_deleted_persons_words_without_their_name(talkative, main_stage, attendee_shanghai, summit):
    delete_me(signed_in(talkative), "camille@example.org")
    [entered] = live.do_enter_room_together(main_stage.pk, "test", [(attendee_shanghai.pk, live.ATTENDEE, None, None)])
    state = entered["state"]
    assert [(m["author"], m["body"]) for m in state["messages"]] == [
        ({"id": None, "name": "", "organisation": "", "deleted": True}, "Bonjour à tous")
    ]
    assert state["questions"][0]["author"] == {"id": None, "name": "", "organisation": "", "deleted": True}
    assert "Camille" not in json.dumps(state)


def test_deleted_person_is_no_ones_lead(summit, fair_vision, visits, team, attendee_paris):
    partnering.do_set_contact_sharing(attendee_paris, summit, everyone=True)
    delete_me(signed_in(attendee_paris), "camille@example.org")
    rows = partnering.leads(summit, [fair_vision], now=NOW)[fair_vision.pk]
    assert len(rows) == 1  # only Li Na's anonymous visit remains


def test_deletion_page_signs_out(talkative):
    client = signed_in(talkative)
    response = client.post("/me/data/delete/", {"confirm": "camille@example.org"}, headers=csrf_headers(client))
    assert response.status_code == 302
    assert client.get("/api/me/agenda/").status_code == 401


def test_a_link_signed_in_person_can_delete_without_a_password(summit, attendee_shanghai):
    assert not attendee_shanghai.has_usable_password()
    assert delete_me(signed_in(attendee_shanghai), "lina@example.org").status_code == 200
