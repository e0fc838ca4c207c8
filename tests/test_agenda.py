"""Attendees keep their own agenda of sessions."""

import pytest

from events.models import Bookmark
from tests.conftest import csrf_headers, signed_in

pytestmark = pytest.mark.django_db


def bookmark(client, session, method="post"):
    return getattr(client, method)(f"/api/sessions/{session.pk}/bookmark/", headers=csrf_headers(client))


def test_bookmark_adds_to_my_agenda_once(attendee_client, keynote):
    assert bookmark(attendee_client, keynote).status_code == 201
    assert bookmark(attendee_client, keynote).status_code == 200
    assert Bookmark.objects.count() == 1
    agenda = attendee_client.get("/api/me/agenda/").json()
    assert [s["title"] for s in agenda] == ["Opening keynote"]


def test_my_agenda_is_in_my_time_zone(attendee_shanghai, keynote):
    client = signed_in(attendee_shanghai)
    bookmark(client, keynote)
    (session,) = client.get("/api/me/agenda/").json()
    assert session["local"]["timezone"] == "Asia/Shanghai"
    assert session["local"]["starts_at"].startswith("2027-03-29T15:00:00+08:00")


def test_unbookmark_removes_it(attendee_client, keynote):
    bookmark(attendee_client, keynote)
    response = bookmark(attendee_client, keynote, method="delete")
    assert response.status_code == 200
    assert response.json() == {"session": keynote.pk, "bookmarked": False}
    assert not Bookmark.objects.exists()


def test_bookmark_needs_a_signed_in_person(anonymous_client, keynote):
    assert bookmark(anonymous_client, keynote).status_code == 401


def test_bookmark_needs_a_registration_for_that_summit(stranger, keynote):
    response = bookmark(signed_in(stranger), keynote)
    assert response.status_code == 403
    assert not Bookmark.objects.exists()


def test_cancelled_session_cannot_be_bookmarked(attendee_client, keynote):
    keynote.status = "cancelled"
    keynote.save()
    assert bookmark(attendee_client, keynote).status_code == 409


def test_unknown_session_is_404(attendee_client, summit):
    assert (
        attendee_client.post("/api/sessions/999999/bookmark/", headers=csrf_headers(attendee_client)).status_code == 404
    )


def test_draft_session_is_invisible(attendee_client, keynote):
    keynote.status = "draft"
    keynote.save()
    assert bookmark(attendee_client, keynote).status_code == 404


def test_bookmark_from_the_schedule_page(attendee_paris, keynote):
    from django.test import Client

    client = Client()
    client.force_login(attendee_paris)
    response = client.post(
        f"/summits/roadshow/sessions/{keynote.pk}/bookmark/", {"next": "/summits/roadshow/schedule/"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/summits/roadshow/schedule/"
    assert Bookmark.objects.filter(user=attendee_paris, session=keynote).exists()
    page = client.get("/summits/roadshow/agenda/")
    assert b"Opening keynote" in page.content


def test_bookmark_page_ignores_offsite_next(attendee_paris, keynote):
    from django.test import Client

    client = Client()
    client.force_login(attendee_paris)
    response = client.post(f"/summits/roadshow/sessions/{keynote.pk}/bookmark/", {"next": "https://evil.example/"})
    assert response.headers["Location"] == "/summits/roadshow/agenda/"
