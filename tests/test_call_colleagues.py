"""Up to two colleagues of a company side sit in a meeting and its call: at most 4 people in all."""

import pytest

from calls import services
from calls.models import CallSeat
from tests.calls_helpers import accepted_meeting, company_meeting
from tests.conftest import csrf_headers, make_person, signed_in
from tests.live import join, orm, room_path, send
from tests.test_call_signalling import frame_of
from tests.test_live_rights import closed_with


@pytest.fixture
def meeting(summit, julien, attendee_shanghai, lina_profile):
    return company_meeting(summit, julien, attendee_shanghai, lina_profile)


def teammate(summit, fair_vision, username, name):
    from events.models import Registration

    user = make_person(username, name=name, organisation="Fair Vision")
    Registration.objects.create(summit=summit, user=user)
    fair_vision.members.add(user)
    return user


def add(user, meeting, colleague):
    client = signed_in(user)
    return client.post(
        f"/api/meetings/{meeting.pk}/colleagues/",
        {"user_id": colleague.pk},
        content_type="application/json",
        headers=csrf_headers(client),
    )


@pytest.mark.django_db
def test_a_company_member_brings_a_colleague_who_then_may_enter_the_room_and_get_credentials(
    meeting, julien, fair_vision_member
):
    answer = add(julien, meeting, fair_vision_member)
    assert answer.status_code == 200, answer.content
    assert fair_vision_member.pk in [seat["user_id"] for seat in answer.json()]
    assert meeting.room.invited.filter(pk=fair_vision_member.pk).exists()
    assert signed_in(fair_vision_member).get(f"/api/meetings/{meeting.pk}/call/").status_code == 200
    assert add(julien, meeting, fair_vision_member).status_code == 200  # adding again changes nothing
    assert meeting.participations.filter(user=fair_vision_member).count() == 1


@pytest.mark.django_db
def test_a_call_holds_at_most_four_people(summit, fair_vision, meeting, julien, fair_vision_member):
    add(julien, meeting, fair_vision_member)
    third = teammate(summit, fair_vision, "hugo", "Hugo Petit")
    assert add(julien, meeting, third).status_code == 200
    fourth = teammate(summit, fair_vision, "ines", "Inès Moreau")
    answer = add(julien, meeting, fourth)
    assert answer.status_code == 409 and answer.json()["detail"]
    assert meeting.participations.count() == 4


@pytest.mark.django_db
def test_only_members_of_the_side_can_be_brought_and_only_by_a_company_side(
    summit, meeting, julien, attendee_paris, attendee_shanghai, lina_profile, fair_vision_member
):
    answer = add(julien, meeting, attendee_paris)
    assert answer.status_code == 422
    person_meeting = accepted_meeting(
        summit,
        attendee_paris,
        attendee_shanghai,
        lina_profile,
        starts_at=meeting.starts_at.replace(day=30),
    )
    assert add(attendee_paris, person_meeting, fair_vision_member).status_code == 403
    assert add(fair_vision_member, meeting, fair_vision_member).status_code == 403  # not in the meeting yet


@pytest.mark.django_db(transaction=True)
async def test_a_colleague_taken_out_of_the_meeting_loses_their_sockets_and_their_seat_in_the_call(
    meeting, julien, fair_vision_member, cookies
):
    await orm(services.do_add_colleague, julien, meeting.pk, fair_vision_member.pk)
    path = room_path(f"meeting-{meeting.pk}")
    julien_socket, _ = await join(await cookies(julien), path)
    await send(julien_socket, {"type": "call.join"})
    await frame_of(julien_socket, "call.peers")
    amelie, _ = await join(await cookies(fair_vision_member), path)
    await send(amelie, {"type": "call.join"})
    await frame_of(amelie, "call.peers")
    await frame_of(julien_socket, "call.peers")
    await orm(services.do_remove_colleague, julien, meeting.pk, fair_vision_member.pk)
    assert await closed_with(amelie) == 4403
    await amelie.disconnect()  # what Daphne tells the consumer once the close handshake is done
    peers = await frame_of(julien_socket, "call.peers")
    assert [peer["user_id"] for peer in peers["peers"]] == [julien.pk]
    assert await orm(CallSeat.objects.filter(user=fair_vision_member, left_at__isnull=True).count) == 0
    await julien_socket.disconnect()


def meeting_page(user, meeting):
    return signed_in(user).get(f"/summits/{meeting.summit.slug}/partnering/meetings/{meeting.pk}/")


@pytest.mark.django_db
def test_the_meeting_page_offers_a_seated_company_person_the_members_of_their_company_to_bring(
    meeting, julien, fair_vision_member
):
    page = meeting_page(julien, meeting).content.decode()
    assert 'id="colleagues"' in page and "js/colleagues.js" in page
    assert f'<option value="{fair_vision_member.pk}">' in page
    assert f'<option value="{julien.pk}">' not in page  # he sits in already
    assert f'data-colleague-remove="{julien.pk}"' not in page  # nobody takes themselves out from here


@pytest.mark.django_db
def test_the_meeting_page_lets_them_take_a_colleague_they_brought_out_again(meeting, julien, fair_vision_member):
    services.do_add_colleague(julien, meeting.pk, fair_vision_member.pk)
    page = meeting_page(julien, meeting).content.decode()
    assert f'data-colleague-remove="{fair_vision_member.pk}"' in page
    assert f'<option value="{fair_vision_member.pk}">' not in page


@pytest.mark.django_db
def test_the_meeting_page_has_no_colleague_control_for_a_person_side_an_organiser_or_a_meeting_without_call(
    summit, meeting, attendee_shanghai, organiser, julien
):
    assert 'id="colleagues"' not in meeting_page(attendee_shanghai, meeting).content.decode()  # a person, no company
    assert 'id="colleagues"' not in meeting_page(organiser, meeting).content.decode()
    from tests.calls_helpers import move_into_the_past

    move_into_the_past(meeting)
    assert 'id="colleagues"' not in meeting_page(julien, meeting).content.decode()
