"""Interest in a company: private to the company, answered back, and turned into a meeting in one click."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Bookmark, Company
from partnering import services
from partnering.models import Interest, Meeting
from tests.conftest import at_paris, csrf_headers, make_session, signed_in

pytestmark = pytest.mark.django_db

INTEREST = "/api/summits/roadshow/companies/fair-vision/interest/"
INTERESTS = "/api/summits/roadshow/companies/fair-vision/interests/"


def post(client, url, **kwargs):
    return client.post(url, content_type="application/json", headers=csrf_headers(client), **kwargs)


def delete(client, url):
    return client.delete(url, headers=csrf_headers(client))


@pytest.fixture(autouse=True)
def _fair_vision_pitches(fair_vision):
    """Every test here is about Fair Vision."""


@pytest.fixture
def camille(attendee_paris):
    return signed_in(attendee_paris)


@pytest.fixture
def member(fair_vision_member):
    return signed_in(fair_vision_member)


def camille_card(summit, attendee_paris):
    return services.my_profile(attendee_paris, summit)


def test_pressing_interested_twice_keeps_one_interest_and_withdrawing_twice_is_harmless(camille, summit):
    first = post(camille, INTEREST)
    second = post(camille, INTEREST)
    assert first.status_code == second.status_code == 200
    assert second.json() == {"company": "fair-vision", "interested": True, "mutual": False}
    assert Interest.objects.count() == 1
    assert delete(camille, INTEREST).status_code == 200
    assert delete(camille, INTEREST).status_code == 200
    assert Interest.objects.count() == 0


def test_the_company_sees_who_is_interested_with_their_profile(camille, member, summit, attendee_paris):
    post(camille, INTEREST)
    rows = member.get(INTERESTS).json()
    assert [(r["profile_id"], r["name"], r["organisation"], r["country"], r["mutual"]) for r in rows] == [
        (camille_card(summit, attendee_paris).pk, "Camille Bernard", "Inria", "FR", False)
    ]
    assert rows[0]["email"] == "camille@example.org"  # interest is the choice to be known by this company
    assert dt.datetime.fromisoformat(rows[0]["at"])


def test_nobody_but_the_company_and_organisers_sees_an_interest(
    camille, summit, organiser_client, stranger, attendee_shanghai, anonymous_client
):
    post(camille, INTEREST)
    assert organiser_client.get(INTERESTS).status_code == 200
    assert signed_in(attendee_shanghai).get(INTERESTS).status_code == 403
    assert signed_in(stranger).get(INTERESTS).status_code == 403
    assert anonymous_client.get(INTERESTS).status_code == 401
    # Another attendee's pages say nothing of it either.
    other = signed_in(attendee_shanghai)
    page = other.get(reverse("company-detail", args=["roadshow", "fair-vision"])).content.decode()
    assert "Camille" not in page
    assert other.get(reverse("partnering-leads", args=["roadshow", "fair-vision"])).status_code == 403
    assert other.get("/api/me/introductions/").json() == []


def test_a_stranger_cannot_press_interested_and_a_member_gets_422(stranger, member, anonymous_client):
    assert post(signed_in(stranger), INTEREST).status_code == 403
    assert post(anonymous_client, INTEREST).status_code == 401
    refused = post(member, INTEREST)
    assert refused.status_code == 422 and "member" in refused.json()["detail"]
    assert Interest.objects.count() == 0


def test_an_unknown_company_is_404(camille):
    assert post(camille, "/api/summits/roadshow/companies/no-such/interest/").status_code == 404


def test_a_member_answering_makes_it_mutual_and_both_get_an_introduction_with_slots(
    camille, member, summit, attendee_paris, fair_vision
):
    post(camille, INTEREST)
    card = camille_card(summit, attendee_paris)
    answered = post(member, f"{INTERESTS}{card.pk}/accept/")
    assert answered.status_code == 200 and answered.json()["mutual"] is True
    assert post(camille, INTEREST).json()["mutual"] is True

    company_card = services.company_card(summit, fair_vision)
    [mine] = camille.get("/api/me/introductions/").json()
    assert (mine["company"], mine["profile_id"], mine["name"], mine["as_company"]) == (
        "fair-vision",
        company_card.pk,
        "Fair Vision",
        None,
    )
    assert mine["slots_url"] == reverse("api:slots", args=["roadshow"]) + f"?with={company_card.pk}"
    slots = camille.get(mine["slots_url"])
    assert slots.status_code == 200 and len(slots.json()) > 0

    [theirs] = member.get("/api/me/introductions/").json()
    assert (theirs["profile_id"], theirs["as_company"]) == (card.pk, "fair-vision")
    assert theirs["slots_url"] == reverse("api:slots", args=["roadshow"]) + f"?with={card.pk}&as_company=fair-vision"
    assert member.get(theirs["slots_url"]).json()[0]["starts_at"] == slots.json()[0]["starts_at"]


def test_only_members_answer_and_only_people_who_showed_interest(
    camille, organiser_client, member, summit, attendee_paris, attendee_shanghai
):
    card = camille_card(summit, attendee_paris)
    assert post(member, f"{INTERESTS}{card.pk}/accept/").status_code == 404
    post(camille, INTEREST)
    assert post(organiser_client, f"{INTERESTS}{card.pk}/accept/").status_code == 403
    assert post(signed_in(attendee_shanghai), f"{INTERESTS}{card.pk}/accept/").status_code == 403
    assert not Interest.objects.get().mutual_at


def test_withdrawing_a_mutual_interest_ends_the_introduction(camille, member, summit, attendee_paris):
    post(camille, INTEREST)
    post(member, f"{INTERESTS}{camille_card(summit, attendee_paris).pk}/accept/")
    delete(camille, INTEREST)
    assert camille.get("/api/me/introductions/").json() == []
    assert member.get("/api/me/introductions/").json() == []
    assert member.get(INTERESTS).json() == []


# --- pages ----------------------------------------------------------------------------------------


def test_company_page_offers_interested_and_meet_this_company_to_registered_people(camille, summit, fair_vision):
    page = camille.get(reverse("company-detail", args=["roadshow", "fair-vision"])).content.decode()
    card = services.company_card(summit, fair_vision)
    assert reverse("partnering-partner", args=["roadshow", card.pk]) in page
    assert "Rencontrer cette entreprise" in page  # "Meet this company", in Camille's French
    assert reverse("partnering-interest", args=["roadshow", "fair-vision"]) in page
    response = camille.post(
        reverse("partnering-interest", args=["roadshow", "fair-vision"]),
        {"action": "express", "next": "/summits/roadshow/companies/fair-vision/"},
        headers=csrf_headers(camille),
    )
    assert response.status_code == 302 and response["Location"] == "/summits/roadshow/companies/fair-vision/"
    again = camille.get(reverse("company-detail", args=["roadshow", "fair-vision"])).content.decode()
    assert 'data-interest="sent"' in again and "Retirer mon intérêt" in again


def test_pitch_room_carries_the_interested_button(camille, pitch_room):
    page = camille.get(reverse("room", args=["roadshow", "fair-vision"])).content.decode()
    assert reverse("partnering-interest", args=["roadshow", "fair-vision"]) in page
    assert "Rencontrer cette entreprise" in page


def test_a_pitch_rooms_interested_and_meet_panel_follows_the_company_pitching_now(camille, summit, pitch_room):
    """Epicnpoc pitching in Fair Vision's room: the panel offers Epicnpoc, not the room's owner."""
    epicnpoc = Company.objects.create(summit=summit, slug="epicnpoc", name="Epicnpoc")
    now = timezone.now()
    make_session(summit, pitch_room, "Epicnpoc pitch", now - dt.timedelta(minutes=5), 30, company=epicnpoc)
    page = camille.get(reverse("room", args=["roadshow", "fair-vision"])).content.decode()
    assert reverse("partnering-interest", args=["roadshow", "epicnpoc"]) in page
    assert reverse("partnering-interest", args=["roadshow", "fair-vision"]) not in page


def test_members_see_no_interested_button_but_the_way_to_their_interested_people(member):
    page = member.get(reverse("company-detail", args=["roadshow", "fair-vision"])).content.decode()
    assert reverse("partnering-interest", args=["roadshow", "fair-vision"]) not in page
    assert reverse("partnering-leads", args=["roadshow", "fair-vision"]) in page


def test_answering_on_the_leads_page_leads_to_one_click_booking(
    camille, member, summit, attendee_paris, fair_vision, fair_vision_member
):
    post(camille, INTEREST)
    card = camille_card(summit, attendee_paris)
    leads = member.get(reverse("partnering-leads", args=["roadshow", "fair-vision"])).content.decode()
    answer = reverse("partnering-answer-interest", args=["roadshow", "fair-vision", card.pk])
    assert "Camille Bernard" in leads and answer in leads
    landed = member.post(answer, headers=csrf_headers(member), follow=True)
    offer = landed.content.decode()
    assert landed.redirect_chain[-1][0].startswith(reverse("partnering-introductions", args=["roadshow"]))
    assert f'id="intro-fair-vision-{card.pk}"' in offer and "slot-button" in offer
    first = services.introductions(fair_vision_member, summit)[0]
    slots, _common = services.common_slots(services.company_card(summit, fair_vision), card, summit, 30)
    booked = member.post(
        reverse("partnering-partner", args=["roadshow", card.pk]),
        {"starts_at": slots[0]["starts_at"].isoformat(), "duration_minutes": "30", "as_company": first["as_company"]},
        headers=csrf_headers(member),
    )
    assert booked.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.requester.company.slug, meeting.invitee_id, meeting.starts_at) == (
        "fair-vision",
        card.pk,
        slots[0]["starts_at"],
    )
    # Camille's offer now shows the request to answer, and no longer offers that time.
    offer = camille.get(reverse("partnering-introductions", args=["roadshow"])).content.decode()
    assert reverse("partnering-meeting-action", args=["roadshow", meeting.pk, "accept"]) in offer
    assert f'value="{slots[0]["starts_at"].isoformat()}"' not in offer
    assert f'value="{slots[1]["starts_at"].isoformat()}"' in offer


def test_offer_leaves_out_a_bookmarked_session(camille, member, summit, attendee_paris, fair_vision, main_stage):
    post(camille, INTEREST)
    card = camille_card(summit, attendee_paris)
    post(member, f"{INTERESTS}{card.pk}/accept/")
    before = [s["starts_at"] for s in camille.get(camille.get("/api/me/introductions/").json()[0]["slots_url"]).json()]
    talk = make_session(summit, main_stage, "Talk", at_paris(dt.date(2027, 3, 29), "09:00"), 60)
    Bookmark.objects.create(user=attendee_paris, session=talk)
    after = [s["starts_at"] for s in camille.get(camille.get("/api/me/introductions/").json()[0]["slots_url"]).json()]
    removed = {dt.datetime.fromisoformat(s) for s in set(before) - set(after)}
    assert removed == {at_paris(dt.date(2027, 3, 29), "09:00"), at_paris(dt.date(2027, 3, 29), "09:30")}


def test_a_hidden_card_stays_unbookable_after_mutual_interest_and_the_offer_says_so(
    camille, member, summit, attendee_paris
):
    post(camille, INTEREST)
    card = camille_card(summit, attendee_paris)
    post(member, f"{INTERESTS}{card.pk}/accept/")
    services.do_update_profile(attendee_paris, card, services.ProfileChange(visible=False))
    offer = member.get(reverse("partnering-introductions", args=["roadshow"]))
    assert offer.status_code == 200
    assert "card is hidden" in offer.content.decode() and "slot-button" not in offer.content.decode()
    assert member.get(member.get("/api/me/introductions/").json()[0]["slots_url"]).status_code == 404
