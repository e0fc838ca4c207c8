"""Organisers schedule, reschedule and cancel sessions; nobody else can, and bad input is refused whole."""

import pytest

from events.models import Session
from events.signals import session_changed
from tests.conftest import csrf_headers, signed_in

pytestmark = pytest.mark.django_db(transaction=True)

NEW_SESSION = {
    "title": "Medical devices panel",
    "room": "main-stage",
    "starts_at": "2027-03-29T10:00:00+02:00",
    "ends_at": "2027-03-29T11:00:00+02:00",
}


def post_session(client, payload, slug="roadshow"):
    return client.post(
        f"/api/summits/{slug}/sessions/", payload, content_type="application/json", headers=csrf_headers(client)
    )


def test_organiser_creates_a_session(organiser_client, main_stage, speaker, track):
    response = post_session(organiser_client, {**NEW_SESSION, "speakers": [speaker.pk], "track": "ai"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["room"] == "main-stage"
    assert body["starts_at"] in ("2027-03-29T08:00:00Z", "2027-03-29T08:00:00+00:00")
    assert [s["name"] for s in body["speakers"]] == ["Julien Marchetti"]
    assert Session.objects.get().track == track


def test_overlapping_session_in_the_same_room_is_refused(organiser_client, keynote):
    response = post_session(organiser_client, {**NEW_SESSION, "starts_at": "2027-03-29T09:30:00+02:00"})
    assert response.status_code == 422
    assert "Opening keynote" in response.json()["detail"]
    assert Session.objects.count() == 1


def test_back_to_back_sessions_do_not_overlap(organiser_client, keynote):
    assert post_session(organiser_client, NEW_SESSION).status_code == 201


def test_same_time_in_another_room_is_fine(organiser_client, keynote, pitch_room):
    response = post_session(
        organiser_client, {**NEW_SESSION, "room": "fair-vision", "starts_at": "2027-03-29T09:00:00+02:00"}
    )
    assert response.status_code == 201


def test_a_speaker_due_in_two_rooms_at_once_is_a_warning_not_a_refusal(organiser_client, keynote, speaker, pitch_room):
    keynote.speakers.add(speaker)
    response = post_session(
        organiser_client,
        {**NEW_SESSION, "room": "fair-vision", "starts_at": "2027-03-29T09:30:00+02:00", "speakers": [speaker.pk]},
    )
    assert response.status_code == 201
    assert response.json()["warnings"] == ["Julien Marchetti is also in “Opening keynote” (Main stage) at that time."]
    moved = organiser_client.patch(
        f"/api/sessions/{response.json()['id']}/",
        {"starts_at": "2027-03-29T10:00:00+02:00", "ends_at": "2027-03-29T11:00:00+02:00"},
        content_type="application/json",
        headers={**csrf_headers(organiser_client), "accept-language": "fr"},
    )
    assert moved.status_code == 200 and moved.json()["warnings"] == []


def test_speaker_warnings_are_in_the_organisers_language(organiser_client, keynote, speaker, pitch_room):
    keynote.speakers.add(speaker)
    response = organiser_client.post(
        "/api/summits/roadshow/sessions/?lang=fr",
        {**NEW_SESSION, "room": "fair-vision", "starts_at": "2027-03-29T09:30:00+02:00", "speakers": [speaker.pk]},
        content_type="application/json",
        headers=csrf_headers(organiser_client),
    )
    assert response.json()["warnings"] == [
        "Julien Marchetti participe aussi à « Opening keynote » (Main stage) à cet horaire."
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"ends_at": "2027-03-29T09:00:00+02:00"},
        {"ends_at": "2027-03-29T10:00:00+02:00"},
        {"starts_at": "2027-03-29T10:00:00"},
        {"starts_at": "not a date"},
        {"room": "no-such-room"},
        {"title": ""},
        {"title": "x" * 201},
        {"language": "klingon"},
        {"speakers": [999999]},
        {"status": "postponed"},
    ],
)
def test_invalid_session_is_422_and_nothing_is_stored(organiser_client, main_stage, change):
    response = post_session(organiser_client, {**NEW_SESSION, **change})
    assert response.status_code == 422, response.content
    assert "detail" in response.json()
    assert Session.objects.count() == 0


def test_malformed_json_is_a_4xx(organiser_client, main_stage):
    response = organiser_client.post(
        "/api/summits/roadshow/sessions/",
        "{not json",
        content_type="application/json",
        headers=csrf_headers(organiser_client),
    )
    assert 400 <= response.status_code < 500


def test_anonymous_write_is_401(anonymous_client, main_stage):
    assert post_session(anonymous_client, NEW_SESSION).status_code == 401


def test_attendee_write_is_403(attendee_client, main_stage):
    response = post_session(attendee_client, NEW_SESSION)
    assert response.status_code == 403
    assert Session.objects.count() == 0


def test_organiser_of_another_summit_cannot_write_here(organiser, main_stage, stranger):
    from events.models import Registration, Summit

    other = Summit.objects.create(slug="other", name="Other", starts_on="2027-01-01", ends_on="2027-01-02")
    Registration.objects.create(summit=other, user=stranger, role=Registration.Role.ORGANISER)
    assert post_session(signed_in(stranger), NEW_SESSION).status_code == 403


def test_cookie_write_without_csrf_token_is_403(organiser_client, main_stage):
    response = organiser_client.post("/api/summits/roadshow/sessions/", NEW_SESSION, content_type="application/json")
    assert response.status_code == 403
    assert Session.objects.count() == 0


def test_session_for_unknown_summit_is_404(organiser_client, main_stage):
    assert post_session(organiser_client, NEW_SESSION, slug="nowhere").status_code == 404


def test_reschedule_bumps_the_calendar_sequence_and_tells_listeners(organiser_client, keynote):
    heard = []

    def listener(sender, session_id, change, **kwargs):
        heard.append((session_id, change))

    session_changed.connect(listener)
    try:
        response = organiser_client.patch(
            f"/api/sessions/{keynote.pk}/",
            {"starts_at": "2027-03-29T14:00:00+02:00", "ends_at": "2027-03-29T15:00:00+02:00"},
            content_type="application/json",
            headers=csrf_headers(organiser_client),
        )
    finally:
        session_changed.disconnect(listener)
    assert response.status_code == 200, response.content
    keynote.refresh_from_db()
    assert keynote.sequence == 1
    assert keynote.starts_at.hour == 12  # UTC
    assert heard == [(keynote.pk, "rescheduled")]


def test_reschedule_into_an_overlap_is_refused_and_keeps_the_old_time(organiser_client, keynote, summit, main_stage):
    from tests.conftest import make_session

    later = make_session(summit, main_stage, "Later", keynote.ends_at)
    response = organiser_client.patch(
        f"/api/sessions/{later.pk}/",
        {"starts_at": "2027-03-29T09:30:00+02:00"},
        content_type="application/json",
        headers=csrf_headers(organiser_client),
    )
    assert response.status_code == 422
    later.refresh_from_db()
    assert later.starts_at == keynote.ends_at
    assert later.sequence == 0


def test_empty_patch_is_422(organiser_client, keynote):
    response = organiser_client.patch(
        f"/api/sessions/{keynote.pk}/", {}, content_type="application/json", headers=csrf_headers(organiser_client)
    )
    assert response.status_code == 422


def test_delete_cancels_rather_than_erases(organiser_client, keynote):
    response = organiser_client.delete(f"/api/sessions/{keynote.pk}/", headers=csrf_headers(organiser_client))
    assert response.status_code == 200
    keynote.refresh_from_db()
    assert keynote.status == "cancelled"
    assert keynote.sequence == 1


def test_cancelled_session_frees_its_slot(organiser_client, keynote):
    organiser_client.delete(f"/api/sessions/{keynote.pk}/", headers=csrf_headers(organiser_client))
    response = post_session(organiser_client, {**NEW_SESSION, "starts_at": "2027-03-29T09:00:00+02:00"})
    assert response.status_code == 201


def test_attendee_cannot_patch_or_delete(attendee_client, keynote):
    headers = csrf_headers(attendee_client)
    assert (
        attendee_client.patch(
            f"/api/sessions/{keynote.pk}/", {"title": "Mine"}, content_type="application/json", headers=headers
        ).status_code
        == 403
    )
    assert attendee_client.delete(f"/api/sessions/{keynote.pk}/", headers=headers).status_code == 403
    keynote.refresh_from_db()
    assert keynote.title == "Opening keynote"


def test_patch_unknown_session_is_404(organiser_client, summit):
    response = organiser_client.patch(
        "/api/sessions/424242/", {"title": "x"}, content_type="application/json", headers=csrf_headers(organiser_client)
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "starts_at",
    [
        "9999-12-31T23:00:00-12:00",
        "0001-01-01T00:00:00+14:00",
        "0003-03-29T10:00:00+01:00",
        "1999-12-31T23:59:59Z",
        "2100-01-01T00:00:00Z",
    ],
)
def test_session_dates_outside_2000_to_2099_are_422_not_500(organiser_client, main_stage, starts_at):
    response = post_session(
        organiser_client, {**NEW_SESSION, "starts_at": starts_at, "ends_at": "2027-03-29T11:00:00+02:00"}
    )
    assert response.status_code == 422, response.content
    assert "2000" in response.json()["detail"]
    response = post_session(
        organiser_client, {**NEW_SESSION, "starts_at": "2027-03-29T10:00:00+02:00", "ends_at": starts_at}
    )
    assert response.status_code == 422, response.content


def test_rescheduling_outside_the_window_is_422(organiser_client, keynote):
    response = organiser_client.patch(
        f"/api/sessions/{keynote.pk}/",
        {"ends_at": "9999-12-31T23:00:00-12:00"},
        content_type="application/json",
        headers=csrf_headers(organiser_client),
    )
    assert response.status_code == 422
    assert "2000" in response.json()["detail"]


@pytest.mark.parametrize(
    "stream_url",
    [
        "javascript:alert(document.cookie)",
        "http://www.youtube-nocookie.com/embed/x",
        "https://evil.example/embed/x",
        "https://www.youtube-nocookie.com.evil.example/embed/x",
        "https://user@evil.example@www.youtube-nocookie.com/embed/x",
        "data:text/html,<script>alert(1)</script>",
    ],
)
def test_stream_url_must_be_https_on_a_stream_host(organiser_client, main_stage, stream_url):
    response = post_session(organiser_client, {**NEW_SESSION, "stream_url": stream_url})
    assert response.status_code == 422, response.content
    assert "https://www.youtube-nocookie.com" in response.json()["detail"]


def test_stream_url_on_a_stream_host_is_kept(organiser_client, main_stage):
    url = "https://player.vimeo.com/video/123456"
    response = post_session(organiser_client, {**NEW_SESSION, "stream_url": url})
    assert response.status_code == 201, response.content
    assert response.json()["stream_url"] == url
