"""Nobody ends up in two accepted meetings at once, even when two accepts race (PostgreSQL)."""

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from partnering import services
from partnering.models import Meeting, Participation
from summit.errors import Conflict
from tests.partnering_helpers import make_summit, registered, utc

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":  # make test's SQLite pass runs this file too: skip, never fail
        pytest.skip("The accept race is enforced by PostgreSQL's exclusion constraint; SQLite has one writer.")


@pytest.fixture
def two_overlapping_requests():
    summit = make_summit("race", dt.date(2027, 3, 29), dt.date(2027, 3, 29))
    lina, lina_profile = registered(summit, "lina", "Asia/Shanghai", "CN")
    camille, _ = registered(summit, "camille")
    thomas, _ = registered(summit, "thomas")
    now = utc(2027, 3, 1)
    one = services.do_request_meeting(
        camille, summit, services.MeetingRequest(lina_profile.pk, utc(2027, 3, 29, 7, 0), 30), now=now
    )
    two = services.do_request_meeting(
        thomas, summit, services.MeetingRequest(lina_profile.pk, utc(2027, 3, 29, 7, 15), 30), now=now
    )
    return lina, one, two


def test_two_simultaneous_accepts_of_overlapping_meetings_let_exactly_one_win(two_overlapping_requests):
    lina, one, two = two_overlapping_requests
    barrier = threading.Barrier(2)
    outcomes = {}

    def accept(meeting):
        try:
            barrier.wait(timeout=10)
            services.do_accept(lina, Meeting(pk=meeting.pk))
            outcomes[meeting.pk] = "accepted"
        except Conflict:
            outcomes[meeting.pk] = "conflict"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(m,)) for m in (one, two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["accepted", "conflict"]
    assert Meeting.objects.filter(status="accepted").count() == 1
    assert Participation.objects.filter(user=lina, status="accepted").count() == 1


def test_database_refuses_overlapping_accepted_seats_even_without_the_services(two_overlapping_requests):
    lina, one, two = two_overlapping_requests
    Participation.objects.filter(meeting=one).update(status="accepted")
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.filter(meeting=two).update(status="accepted")
    # Back to back is fine: the ranges are half-open.
    Participation.objects.filter(meeting=two).update(
        starts_at=utc(2027, 3, 29, 7, 30), ends_at=utc(2027, 3, 29, 8, 0), status="accepted"
    )
