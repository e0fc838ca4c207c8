"""Organisers can look at partner profiles and meetings in the admin."""

import datetime as dt

from django.test import Client

from partnering import services
from tests.conftest import make_person


def test_admin_pages_for_profiles_and_meetings_open(summit, attendee_paris, attendee_shanghai):
    root = make_person("root", is_superuser=True, is_staff=True)
    lina = services.my_profile(attendee_shanghai, summit)
    meeting = services.do_request_meeting(
        attendee_paris, summit, services.MeetingRequest(lina.pk, dt.datetime(2027, 3, 29, 7, tzinfo=dt.UTC), 30)
    )
    client = Client()
    client.force_login(root)
    for url in [
        "/admin/partnering/meeting/",
        f"/admin/partnering/meeting/{meeting.pk}/change/",
        "/admin/partnering/partnerprofile/",
        f"/admin/partnering/partnerprofile/{lina.pk}/change/",
    ]:
        assert client.get(url).status_code == 200, url
