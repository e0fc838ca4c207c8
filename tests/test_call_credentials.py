"""`GET /api/meetings/{id}/call/`: TURN REST credentials for the people sitting in an accepted meeting only."""

import base64
import hashlib
import hmac

import pytest
from django.test import override_settings
from django.utils import timezone

from partnering import services as partnering
from tests.calls_helpers import accepted_meeting, move_into_the_past
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(summit, attendee_paris, attendee_shanghai, lina_profile):
    return accepted_meeting(summit, attendee_paris, attendee_shanghai, lina_profile)


@override_settings(TURN_SECRET="s3cret-for-tests", TURN_HOST="turn.summit.test", TURN_PORT=3479)
def test_the_people_of_an_accepted_meeting_get_expiring_turn_rest_credentials_on_the_platforms_host(
    meeting, attendee_paris
):
    before = int(timezone.now().timestamp())
    answer = signed_in(attendee_paris).get(f"/api/meetings/{meeting.pk}/call/")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    urls = [url for server in body["ice_servers"] for url in server["urls"]]
    assert urls == [
        "stun:turn.summit.test:3479",
        "turn:turn.summit.test:3479?transport=udp",
        "turn:turn.summit.test:3479?transport=tcp",
    ]
    turn = body["ice_servers"][1]
    expiry, user = turn["username"].split(":")
    assert user == str(attendee_paris.pk)
    assert before + 3600 <= int(expiry) <= before + 4 * 3600 + 5  # within hours
    expected = hmac.new(b"s3cret-for-tests", turn["username"].encode(), hashlib.sha1).digest()
    assert turn["credential"] == base64.b64encode(expected).decode()
    assert timezone.datetime.fromisoformat(body["expires_at"]).timestamp() == int(expiry)


def test_no_public_stun_server_is_ever_offered(meeting, attendee_shanghai):
    body = signed_in(attendee_shanghai).get(f"/api/meetings/{meeting.pk}/call/").json()
    urls = " ".join(url for server in body["ice_servers"] for url in server["urls"])
    assert "google" not in urls and "stun.l." not in urls and "twilio" not in urls
    assert {url.split(":")[1] for url in urls.split()} == {"127.0.0.1"}  # SITE_URL's host in tests


@override_settings(TURN_TLS_URL="turns:turn.summit.test:443?transport=tcp")
def test_turn_over_tls_is_offered_when_configured(meeting, attendee_paris):
    body = signed_in(attendee_paris).get(f"/api/meetings/{meeting.pk}/call/").json()
    assert "turns:turn.summit.test:443?transport=tcp" in body["ice_servers"][1]["urls"]


def test_organisers_and_other_attendees_get_403_and_the_signed_out_401(
    meeting, organiser, stranger, julien, anonymous_client
):
    for user in (organiser, julien):
        answer = signed_in(user).get(f"/api/meetings/{meeting.pk}/call/")
        assert answer.status_code == 403, (user, answer.content)
        assert answer.json()["detail"]
    assert signed_in(stranger).get(f"/api/meetings/{meeting.pk}/call/").status_code == 404
    assert anonymous_client.get(f"/api/meetings/{meeting.pk}/call/").status_code == 401


def test_a_meeting_requested_declined_cancelled_or_over_has_no_call(
    summit, attendee_paris, attendee_shanghai, lina_profile
):
    requested = partnering.do_request_meeting(
        attendee_paris,
        summit,
        partnering.MeetingRequest(lina_profile.pk, timezone.datetime(2027, 3, 30, 7, tzinfo=timezone.UTC), 30),
    )
    declined = partnering.do_request_meeting(
        attendee_paris,
        summit,
        partnering.MeetingRequest(lina_profile.pk, timezone.datetime(2027, 3, 30, 8, tzinfo=timezone.UTC), 30),
    )
    partnering.do_decline(attendee_shanghai, declined)
    cancelled = accepted_meeting(summit, attendee_paris, attendee_shanghai, lina_profile)
    partnering.do_cancel(attendee_paris, cancelled)
    over = accepted_meeting(
        summit, attendee_paris, attendee_shanghai, lina_profile, timezone.datetime(2027, 3, 31, 7, tzinfo=timezone.UTC)
    )
    move_into_the_past(over)
    for meeting in (requested, declined, cancelled, over):
        for user in (attendee_paris, attendee_shanghai):
            answer = signed_in(user).get(f"/api/meetings/{meeting.pk}/call/")
            assert answer.status_code == 409, (meeting.status, user, answer.content)
            assert answer.json()["detail"]


def test_an_unknown_meeting_is_404(attendee_paris):
    assert signed_in(attendee_paris).get("/api/meetings/999999/call/").status_code == 404
