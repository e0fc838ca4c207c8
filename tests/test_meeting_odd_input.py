"""Whatever anyone sends to the partnering API and pages, the answer is a 4xx, never a 500."""

import datetime as dt
import json

import pytest

from partnering import services
from tests.conftest import csrf_headers, signed_in

ODD_BODIES = [
    "",
    "null",
    "[]",
    "{}",
    "x" * 300_000,
    '{"starts_at": 5}',
    '{"starts_at": "2027-13-45T99:00"}',
    '{"message": 5}',
    '{"video_url": null}',
    '{"video_url": "ftp://x"}',
    '{"starts_at": "2027-03-30T16:00:00+08:00", "outside_hours_ok": "x"}',
    '{"message": "a\\u0000", "video_url": "https://x/\\u0000", "organisation": "\\u0000", "themes": ["\\u0000"]}',
]


@pytest.fixture
def meeting(summit, attendee_paris, attendee_shanghai):
    lina = services.my_profile(attendee_shanghai, summit)
    return services.do_request_meeting(
        attendee_paris, summit, services.MeetingRequest(lina.pk, dt.datetime(2027, 3, 29, 7, tzinfo=dt.UTC), 30)
    )


@pytest.fixture
def everyone(attendee_paris, attendee_shanghai, organiser, stranger, anonymous_client):
    return [
        signed_in(attendee_paris),
        signed_in(attendee_shanghai),
        signed_in(organiser),
        signed_in(stranger),
        anonymous_client,
    ]


def test_odd_api_writes_never_get_a_500(summit, meeting, everyone):
    urls = [f"/api/meetings/{meeting.pk}/{action}/" for action in ("accept", "decline", "cancel", "propose")]
    urls += ["/api/summits/roadshow/meetings/", "/api/summits/nope/meetings/"]
    for client in everyone:
        headers = csrf_headers(client)
        for body in ODD_BODIES:
            for url in urls:
                response = client.post(url, body, content_type="application/json", headers=headers)
                assert response.status_code < 500, (url, body[:60], response.content[:200])
            for method, url in (
                ("put", "/api/summits/roadshow/partners/me/"),
                ("patch", f"/api/meetings/{meeting.pk}/"),
            ):
                response = getattr(client, method)(url, body, content_type="application/json", headers=headers)
                assert response.status_code < 500, (url, body[:60], response.content[:200])


def test_odd_queries_and_pages_get_no_500(summit, meeting, everyone, fair_vision, attendee_shanghai):
    lina = services.my_profile(attendee_shanghai, summit).pk
    gets = [
        "/api/summits/roadshow/partners/?q=%00",
        "/api/summits/roadshow/partners/?country=%00&theme=a%00",
        "/api/summits/roadshow/partners/?q=" + "a" * 5000,
        "/api/summits/roadshow/meetings/slots/?with=-1",
        f"/api/summits/roadshow/meetings/slots/?with={lina}&duration=-30",
        f"/api/summits/roadshow/meetings/slots/?with={lina}&as_company=a%00",
        f"/api/summits/roadshow/meetings/slots/?with={lina}&as_company=fair-vision",
        "/api/me/meetings/?summit=nope",
        f"/api/meetings/{meeting.pk}/",
        "/api/meetings/0/",
        "/api/summits/roadshow/partners/companies/nope/",
        f"/summits/roadshow/partnering/partners/{lina}/?duration=999&propose=999",
        f"/summits/roadshow/partnering/partners/{lina}/?as=%00",
        f"/summits/roadshow/partnering/meetings/{meeting.pk}/",
        "/summits/roadshow/partnering/organiser/",
        "/summits/roadshow/partnering/companies/fair-vision/leads.csv",
        "/summits/roadshow/meetings.ics",
        "/summits/roadshow/partnering/companies/fair-vision/profile/",
    ]
    form = {
        "message": "a\x00",
        "as_company": "\x00",
        "organisation": "\x00",
        "starts_at": "x",
        "video_url": "javascript:1",
        "weekdays": ["x"],
        "office_start": "25:00",
    }
    posts = [
        f"/summits/roadshow/partnering/meetings/{meeting.pk}/{action}/"
        for action in ("accept", "decline", "cancel", "propose", "video", "nope")
    ]
    posts += [f"/summits/roadshow/partnering/partners/{lina}/", "/summits/roadshow/partnering/me/"]
    for client in everyone:
        for url in gets:
            assert client.get(url).status_code < 500, url
        headers = csrf_headers(client)
        for url in posts:
            assert client.post(url, form, headers=headers).status_code < 500, url


def test_nul_characters_are_refused_with_422(attendee_client, attendee_shanghai, summit):
    lina = services.my_profile(attendee_shanghai, summit)
    response = attendee_client.post(
        "/api/summits/roadshow/meetings/",
        json.dumps({"with": lina.pk, "starts_at": "2027-03-29T09:00:00+02:00", "message": "hi\u0000"}),
        content_type="application/json",
        headers=csrf_headers(attendee_client),
    )
    assert response.status_code == 422
    assert attendee_client.get("/api/summits/roadshow/partners/?q=%00").status_code == 422
