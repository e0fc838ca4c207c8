"""Requesting, answering and moving 1:1 meetings through the API: every refusal has its status."""

import datetime as dt
import json

import pytest

from events.models import Company, Room
from partnering import services
from partnering.models import Meeting, Participation
from partnering.signals import meeting_changed
from summit.errors import Invalid
from tests.conftest import csrf_headers, signed_in
from tests.partnering_helpers import registered, utc

# The conftest summit runs Monday 29 – Wednesday 31 March 2027: Paris is on summer time (UTC+2).
MONDAY_0900_PARIS = "2027-03-29T09:00:00+02:00"


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json", **_headers(client))


def _headers(client):
    return {"headers": csrf_headers(client)}


@pytest.fixture
def camille(attendee_paris):
    return signed_in(attendee_paris)


@pytest.fixture
def lina(attendee_shanghai):
    return signed_in(attendee_shanghai)


@pytest.fixture
def camille_profile(summit, attendee_paris):
    return services.my_profile(attendee_paris, summit)


def request_meeting(client, profile, starts_at=MONDAY_0900_PARIS, **extra):
    return post(
        client,
        "/api/summits/roadshow/meetings/",
        {"with": profile.pk, "starts_at": starts_at, "duration_minutes": 30, **extra},
    )


def test_request_inside_both_hours_is_created_and_both_see_both_local_times(camille, lina, lina_profile):
    response = request_meeting(camille, lina_profile, message="Distribution in Qingdao?")
    assert response.status_code == 201, response.content
    meeting = response.json()
    assert meeting["status"] == "requested" and meeting["awaiting"] == "them"
    assert meeting["starts_at"] == "2027-03-29T07:00:00Z"
    assert meeting["local"] == {"you": "2027-03-29T09:00:00+02:00", "them": "2027-03-29T15:00:00+08:00"}
    theirs = lina.get("/api/me/meetings/").json()
    assert [(m["id"], m["awaiting"], m["local"]["you"]) for m in theirs] == [
        (meeting["id"], "you", "2027-03-29T15:00:00+08:00")
    ]


def test_request_outside_the_other_partys_hours_is_422(camille, lina_profile):
    response = request_meeting(camille, lina_profile, "2027-03-29T12:00:00+02:00")  # 18:00 Shanghai
    assert response.status_code == 422
    assert "Li Na" in response.json()["detail"]


def test_request_outside_my_own_hours_needs_my_explicit_agreement(summit, attendee_paris, camille, lina_profile):
    me = services.my_profile(attendee_paris, summit)
    services.do_update_profile(attendee_paris, me, services.ProfileChange(office_start="10:00"))
    assert request_meeting(camille, lina_profile).status_code == 422
    assert request_meeting(camille, lina_profile, outside_hours_ok=True).status_code == 201


def test_request_with_a_meeting_that_clashes_with_an_accepted_one_is_409(camille, lina, lina_profile):
    first = request_meeting(camille, lina_profile).json()
    assert post(lina, f"/api/meetings/{first['id']}/accept/").status_code == 200
    response = request_meeting(camille, lina_profile, "2027-03-29T09:15:00+02:00")
    assert response.status_code == 409


@pytest.mark.parametrize(
    "body, status",
    [
        ({"starts_at": "next monday"}, 422),
        ({"starts_at": "2027-03-29T09:00:00"}, 422),  # no offset
        ({"duration_minutes": 7}, 422),
        ({"duration_minutes": "long"}, 422),
        ({"starts_at": "2020-03-30T09:00:00+02:00"}, 422),  # past
        ({"with": 999999}, 404),
        ({"with": "lina"}, 422),
        ({"with": 2**70}, 404),
        ({"starts_at": "9999-12-31T23:59:00+00:00"}, 422),  # would overflow when the duration is added
        ({"starts_at": "0001-01-01T00:00:00+02:00"}, 422),  # would overflow when turned into UTC
        ({"starts_at": "2027-04-20T09:00:00+02:00"}, 422),  # after the summit
        ({"starts_at": "2027-03-29T09:00:30+02:00"}, 422),  # not a whole minute
    ],
)
def test_bad_requests_get_a_clear_status_never_a_500(camille, lina_profile, body, status):
    payload = {"with": lina_profile.pk, "starts_at": MONDAY_0900_PARIS, "duration_minutes": 30, **body}
    response = post(camille, "/api/summits/roadshow/meetings/", payload)
    assert response.status_code == status, response.content
    assert "detail" in response.json()


def test_meeting_myself_is_422(camille, camille_profile):
    assert request_meeting(camille, camille_profile).status_code == 422


def test_unregistered_people_cannot_request(stranger, lina_profile):
    assert request_meeting(signed_in(stranger), lina_profile).status_code == 403


def test_accept_opens_a_private_room_for_both_parties_only(
    summit, camille, lina, lina_profile, attendee_paris, attendee_shanghai
):
    meeting = request_meeting(camille, lina_profile).json()
    accepted = post(lina, f"/api/meetings/{meeting['id']}/accept/").json()
    assert accepted["status"] == "accepted" and accepted["room"]
    room = Room.objects.get(summit=summit, slug=accepted["room"])
    assert room.is_private and room.kind == Room.Kind.MEETING
    assert set(room.invited.all()) == {attendee_paris, attendee_shanghai}


def test_requester_cannot_accept_their_own_request(camille, lina_profile):
    meeting = request_meeting(camille, lina_profile).json()
    assert post(camille, f"/api/meetings/{meeting['id']}/accept/").status_code == 403


def test_accepting_into_a_double_booking_is_409(summit, camille, lina, lina_profile, attendee_shanghai):
    _thomas_user, _thomas = registered(summit, "thomas")
    thomas = signed_in(_thomas_user)
    one = request_meeting(camille, lina_profile).json()
    two = request_meeting(thomas, lina_profile, "2027-03-29T09:15:00+02:00").json()
    assert post(lina, f"/api/meetings/{one['id']}/accept/").status_code == 200
    response = post(lina, f"/api/meetings/{two['id']}/accept/")
    assert response.status_code == 409
    assert Meeting.objects.get(pk=two["id"]).status == "requested"


def test_someone_elses_meeting_is_403_for_attendees_and_404_for_strangers(summit, camille, lina_profile, stranger):
    meeting = request_meeting(camille, lina_profile).json()
    other_user, _other = registered(summit, "thomas")
    assert post(signed_in(other_user), f"/api/meetings/{meeting['id']}/accept/").status_code == 403
    assert signed_in(other_user).get(f"/api/meetings/{meeting['id']}/").status_code == 403
    assert post(signed_in(stranger), f"/api/meetings/{meeting['id']}/cancel/").status_code == 404
    assert post(signed_in(stranger), "/api/meetings/999999/cancel/").status_code == 404


def test_organisers_may_look_but_not_answer(organiser_client, camille, lina_profile):
    meeting = request_meeting(camille, lina_profile).json()
    assert organiser_client.get(f"/api/meetings/{meeting['id']}/").status_code == 200
    assert post(organiser_client, f"/api/meetings/{meeting['id']}/accept/").status_code == 403


def test_decline_keeps_the_message_and_cannot_be_accepted_afterwards(camille, lina, lina_profile):
    meeting = request_meeting(camille, lina_profile).json()
    declined = post(lina, f"/api/meetings/{meeting['id']}/decline/", {"message": "Busy that week"}).json()
    assert (declined["status"], declined["answer"]) == ("declined", "Busy that week")
    assert post(lina, f"/api/meetings/{meeting['id']}/accept/").status_code == 409


def test_propose_moves_the_meeting_and_waits_for_the_other_side(camille, lina, lina_profile):
    meeting = request_meeting(camille, lina_profile).json()
    moved = post(lina, f"/api/meetings/{meeting['id']}/propose/", {"starts_at": "2027-03-30T16:00:00+08:00"})
    assert moved.status_code == 200, moved.content
    assert moved.json()["awaiting"] == "them" and moved.json()["starts_at"] == "2027-03-30T08:00:00Z"
    assert post(lina, f"/api/meetings/{meeting['id']}/accept/").status_code == 403
    mine = post(camille, f"/api/meetings/{meeting['id']}/accept/").json()
    assert mine["status"] == "accepted" and mine["local"]["you"] == "2027-03-30T10:00:00+02:00"
    assert set(Participation.objects.filter(meeting_id=meeting["id"]).values_list("status", flat=True)) == {"accepted"}


def test_propose_outside_the_other_sides_hours_is_422(camille, lina, lina_profile):
    meeting = request_meeting(camille, lina_profile).json()
    assert (
        post(lina, f"/api/meetings/{meeting['id']}/propose/", {"starts_at": "2027-03-30T08:00:00+08:00"}).status_code
        == 422
    )


def test_cancel_frees_the_slot(camille, lina, lina_profile):
    meeting = request_meeting(camille, lina_profile).json()
    post(lina, f"/api/meetings/{meeting['id']}/accept/")
    assert post(camille, f"/api/meetings/{meeting['id']}/cancel/").json()["status"] == "cancelled"
    assert request_meeting(camille, lina_profile).status_code == 201
    assert post(camille, f"/api/meetings/{meeting['id']}/cancel/").status_code == 409


def test_meeting_booked_across_the_clock_change_keeps_its_instant_and_warns(summit, attendee_paris, attendee_shanghai):
    shanghai = services.my_profile(attendee_shanghai, summit)
    booked_on = utc(2027, 3, 26, 10, 0)  # Friday, Paris on UTC+1
    meeting = services.do_request_meeting(
        attendee_paris,
        summit,
        services.MeetingRequest(
            shanghai.pk, dt.datetime(2027, 3, 29, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))), 30
        ),
        now=booked_on,
    )
    seen = services.meeting_out(meeting, attendee_shanghai, now=booked_on)
    assert seen["starts_at"] == utc(2027, 3, 29, 7, 0)
    assert seen["local"]["you"].isoformat() == "2027-03-29T15:00:00+08:00"
    assert seen["local"]["them"].isoformat() == "2027-03-29T09:00:00+02:00"
    assert seen["clock_change_before"] and seen["clock_changes"][0]["timezone"] == "Europe/Paris"
    after = services.meeting_out(meeting, attendee_shanghai, now=utc(2027, 3, 28, 12, 0))
    assert not after["clock_change_before"]


def test_company_meeting_is_answered_by_a_member_who_then_attends(summit, camille, attendee_paris):
    company = Company.objects.create(summit=summit, slug="epicnpoc", name="Epicnpoc", country="FR")
    sophie, _profile = registered(summit, "sophie", "Europe/Paris")
    company.members.add(sophie)
    services.do_create_missing_profiles(summit)
    meeting = request_meeting(camille, company.partner_profile).json()
    assert meeting["with"]["name"] == "Epicnpoc"
    sophie_client = signed_in(sophie)
    assert [m["id"] for m in sophie_client.get("/api/me/meetings/").json()] == [meeting["id"]]
    assert post(sophie_client, f"/api/meetings/{meeting['id']}/accept/").status_code == 200
    room = Room.objects.get(meeting__pk=meeting["id"])
    assert set(room.invited.all()) == {attendee_paris, sophie}


def test_changes_are_signalled_after_commit(camille, lina, lina_profile, django_capture_on_commit_callbacks):
    seen = []

    def listener(sender, meeting_id, change, **kwargs):
        seen.append(change)

    meeting_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            meeting = request_meeting(camille, lina_profile).json()
            post(lina, f"/api/meetings/{meeting['id']}/accept/")
    finally:
        meeting_changed.disconnect(listener)
    assert seen == ["requested", "accepted"]


def test_video_link_must_be_http(camille, lina_profile):
    meeting = request_meeting(camille, lina_profile).json()
    bad = camille.patch(
        f"/api/meetings/{meeting['id']}/",
        json.dumps({"video_url": "javascript:alert(1)"}),
        content_type="application/json",
        headers=csrf_headers(camille),
    )
    assert bad.status_code == 422
    good = camille.patch(
        f"/api/meetings/{meeting['id']}/",
        json.dumps({"video_url": "https://meet.example/x"}),
        content_type="application/json",
        headers=csrf_headers(camille),
    )
    assert good.json()["video_url"] == "https://meet.example/x"


def test_unknown_slot_partner_is_404_and_bad_parameters_422(camille, lina_profile):
    slots = "/api/summits/roadshow/meetings/slots/"
    assert camille.get(f"{slots}?with=999999").status_code == 404
    assert camille.get(f"{slots}?with=abc").status_code == 422
    assert camille.get(f"{slots}?with={lina_profile.pk}&duration=7").status_code == 422
    assert camille.get(f"{slots}?with={lina_profile.pk}&step=7").status_code == 422
    assert camille.get(f"{slots}?with={lina_profile.pk}&nearest=maybe").status_code == 422
    assert camille.get(f"/summits/roadshow/partnering/partners/{lina_profile.pk}/?duration=abc").status_code == 422
    assert (
        camille.post(
            "/api/summits/roadshow/meetings/",
            "not json",
            content_type="application/json",
            headers=csrf_headers(camille),
        ).status_code
        == 400
    )


def test_slots_api_lists_summer_window(camille, lina_profile):
    slots = camille.get(f"/api/summits/roadshow/meetings/slots/?with={lina_profile.pk}&duration=60").json()
    assert slots[0]["local"] == {"you": "2027-03-29T09:00:00+02:00", "them": "2027-03-29T15:00:00+08:00"}
    assert slots[0]["label"] == "09:00 Paris · 15:00 Shanghai"
    assert len(slots) == 3 * 5  # 09:00 .. 11:00 Paris on three days


def test_a_company_member_can_request_for_the_company_and_edit_its_profile(
    summit, lina, lina_profile, attendee_shanghai
):
    company = Company.objects.create(summit=summit, slug="finwedge", name="Finwedge", country="FR")
    marc, _profile = registered(summit, "marc")
    company.members.add(marc)
    marc_client = signed_in(marc)
    response = request_meeting(marc_client, lina_profile, as_company="finwedge")
    assert response.status_code == 201, response.content
    assert response.json()["you"]["name"] == "Finwedge"
    assert lina.get("/api/me/meetings/").json()[0]["with"]["name"] == "Finwedge"
    url = "/api/summits/roadshow/partners/companies/finwedge/"
    edited = marc_client.put(
        url,
        json.dumps({"seeks": ["pilot-customer"]}),
        content_type="application/json",
        headers=csrf_headers(marc_client),
    )
    assert edited.json()["seeks"] == ["pilot-customer"]
    assert lina.get(url).status_code == 403
    assert request_meeting(lina, lina_profile, as_company="finwedge").status_code == 403


def test_a_member_busy_in_person_cannot_book_the_same_time_for_the_company(summit, lina, lina_profile):
    company = Company.objects.create(summit=summit, slug="finwedge", name="Finwedge", country="FR")
    marc, _profile = registered(summit, "marc")
    company.members.add(marc)
    marc_client = signed_in(marc)
    mine = request_meeting(marc_client, lina_profile).json()
    post(lina, f"/api/meetings/{mine['id']}/accept/")
    zhao, zhao_card = registered(summit, "zhao", "Asia/Shanghai", "CN")
    assert request_meeting(marc_client, zhao_card, as_company="finwedge").status_code == 409


def test_reminders_go_to_both_people_of_an_accepted_meeting_in_their_own_time(
    summit, camille, lina, lina_profile, attendee_paris, attendee_shanghai
):
    meeting = request_meeting(camille, lina_profile).json()
    assert services.reminder_targets(meeting["id"]) == []
    post(lina, f"/api/meetings/{meeting['id']}/accept/")
    targets = services.reminder_targets(meeting["id"], now=utc(2027, 3, 20))
    assert [(user, out["local"]["you"].isoformat(), out["clock_change_before"]) for user, out in targets] == [
        (attendee_paris, "2027-03-29T09:00:00+02:00", True),
        (attendee_shanghai, "2027-03-29T15:00:00+08:00", True),
    ]


def test_my_meetings_query_count_does_not_grow_with_meetings(
    summit, camille, attendee_paris, django_assert_max_num_queries
):
    company = Company.objects.create(summit=summit, slug="epicnpoc", name="Epicnpoc")
    services.do_create_missing_profiles(summit)
    for n in range(4):
        _user, card = registered(summit, f"partner{n}", "Asia/Shanghai", "CN")
        starts_at = f"2027-03-29T{9 + n // 2:02d}:{n % 2 * 30:02d}:00+02:00"  # 09:00, 09:30, 10:00, 10:30
        assert request_meeting(camille, card, starts_at).status_code == 201
    request_meeting(camille, company.partner_profile, "2027-03-30T09:00:00+02:00")
    with django_assert_max_num_queries(10):
        assert len(camille.get("/api/me/meetings/").json()) == 5


def test_a_request_whose_time_has_passed_cannot_be_accepted(summit, attendee_paris, attendee_shanghai, lina_profile):
    meeting = services.do_request_meeting(
        attendee_paris,
        summit,
        services.MeetingRequest(lina_profile.pk, utc(2027, 3, 29, 7, 0), 30),
        now=utc(2027, 3, 1),
    )
    with pytest.raises(Invalid):
        services.do_accept(attendee_shanghai, meeting, now=utc(2027, 3, 29, 7, 5))
