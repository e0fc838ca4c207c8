"""The organisers' partnering dashboard: meetings requested, accepted and held per company and theme."""

import pytest

from partnering import services
from tests.conftest import signed_in
from tests.partnering_helpers import BEFORE, utc


@pytest.fixture
def activity(summit, fair_vision, julien, attendee_shanghai):
    """Li Na, who seeks distribution, met Fair Vision; Julien accepted for the company."""
    lina = services.my_profile(attendee_shanghai, summit)
    services.do_update_profile(attendee_shanghai, lina, services.ProfileChange(seeks=["distribution"]))
    services.do_create_missing_profiles(summit)
    meeting = services.do_request_meeting(
        attendee_shanghai,
        summit,
        services.MeetingRequest(fair_vision.partner_profile.pk, utc(2027, 3, 30, 8, 0), 30),
        now=BEFORE,
    )
    services.do_accept(julien, meeting)
    return meeting


def test_organiser_dashboard_counts_per_company_and_theme(
    activity, summit, organiser, attendee_paris, attendee_shanghai
):
    services.do_update_profile(
        attendee_shanghai,
        services.my_profile(attendee_shanghai, summit),
        services.ProfileChange(themes=["Medical devices"]),
    )
    camille = services.my_profile(attendee_paris, summit)
    services.do_request_meeting(
        attendee_shanghai, summit, services.MeetingRequest(camille.pk, utc(2027, 3, 31, 8, 0), 30), now=BEFORE
    )
    figures = services.dashboard(organiser, summit, now=utc(2027, 4, 1))
    assert figures["totals"] == {"requested": 2, "accepted": 1, "held": 1}
    assert [(r["company"].slug, r["requested"], r["accepted"], r["held"]) for r in figures["companies"]] == [
        ("fair-vision", 1, 1, 1)
    ]
    assert {r["theme"]: r["requested"] for r in figures["themes"]} == {"AI/ICT": 0, "Medical devices": 2}
    page = signed_in(organiser).get("/summits/roadshow/partnering/organiser/")
    assert page.status_code == 200 and "Fair Vision" in page.content.decode()


def test_dashboard_is_for_organisers_only(summit, attendee_client, django_assert_max_num_queries, organiser):
    assert attendee_client.get("/summits/roadshow/partnering/organiser/").status_code == 403
    with django_assert_max_num_queries(8):
        services.dashboard(organiser, summit)
