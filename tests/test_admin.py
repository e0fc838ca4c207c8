"""Organisers also schedule through the Django admin, under the same rules as the API."""

import pytest
from django.test import Client

from events.models import Session
from events.signals import session_changed

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_client_for(organiser):
    organiser.is_staff = True
    organiser.is_superuser = True
    organiser.save()
    client = Client()
    client.force_login(organiser)
    return client


def form_for(session_or_room, title, start, end, status="published"):
    room = getattr(session_or_room, "room", session_or_room)
    return {
        # The admin edits each language's column of a translated field (django-modeltranslation).
        "summit": room.summit_id,
        "room": room.pk,
        "title_en": title,
        "description_en": "",
        "starts_at_0": start[0],
        "starts_at_1": start[1],
        "ends_at_0": end[0],
        "ends_at_1": end[1],
        "language": "en",
        "status": status,
        "stream_url": "",
    }


def test_admin_refuses_an_overlapping_session(admin_client_for, keynote):
    # The admin shows times in the organiser's own zone: the keynote is 09:00–10:00 in Paris.
    response = admin_client_for.post(
        "/admin/events/session/add/", form_for(keynote, "Clash", ("2027-03-29", "09:30"), ("2027-03-29", "10:30"))
    )
    assert response.status_code == 200
    assert "Opening keynote" in response.content.decode()
    assert Session.objects.count() == 1


def test_admin_refuses_a_session_ending_before_it_starts(admin_client_for, main_stage):
    response = admin_client_for.post(
        "/admin/events/session/add/",
        form_for(main_stage, "Backwards", ("2027-03-29", "10:00"), ("2027-03-29", "09:00")),
    )
    assert response.status_code == 200
    assert not Session.objects.exists()


def test_admin_reschedule_bumps_sequence_and_tells_listeners(admin_client_for, keynote):
    heard = []

    def listener(sender, session_id, change, **kwargs):
        heard.append(change)

    session_changed.connect(listener)
    try:
        response = admin_client_for.post(
            f"/admin/events/session/{keynote.pk}/change/",
            form_for(keynote, "Opening keynote", ("2027-03-29", "14:00"), ("2027-03-29", "15:00")),
        )
    finally:
        session_changed.disconnect(listener)
    assert response.status_code == 302, response.content.decode()[:2000]
    keynote.refresh_from_db()
    assert keynote.sequence == 1
    assert keynote.starts_at.hour == 12  # 14:00 in Paris, summer time
    assert heard == ["rescheduled"]
