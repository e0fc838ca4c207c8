"""The live room page: who may open it, what it carries for its script, and that it runs no inline code."""

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from events.models import Profile, Registration, Room
from tests.conftest import SHANGHAI, make_person, make_session, signed_in

ROOM_URL = "/summits/roadshow/rooms/{}/"


@pytest.fixture
def private_pitch(summit, fair_vision):
    return Room.objects.create(
        summit=summit,
        slug="fair-vision-private",
        name="Fair Vision partners",
        kind=Room.Kind.PITCH,
        company=fair_vision,
        is_private=True,
    )


@pytest.fixture
def lounge(summit):
    return Room.objects.create(summit=summit, slug="lounge", name="Lounge", kind=Room.Kind.LOUNGE)


@pytest.fixture
def streamed_keynote(summit, main_stage):
    """A session on the main stage right now, started ten minutes ago."""
    starts = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=10)
    return make_session(
        summit, main_stage, "Live keynote", starts, 60, stream_url="https://www.youtube-nocookie.com/embed/live123"
    )


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(response):
    parser = Tags()
    parser.feed(response.content.decode())
    return parser.tags


def labels_of(response):
    match = re.search(
        r'<script id="room-labels" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(match.group(1))


# --- who may open it --------------------------------------------------------------


def test_registered_attendee_opens_the_room(attendee_client, main_stage):
    response = attendee_client.get(ROOM_URL.format("main-stage"))
    assert response.status_code == 200
    assert b"Main stage" in response.content


def test_stranger_not_registered_is_refused(stranger, main_stage):
    response = signed_in(stranger).get(ROOM_URL.format("main-stage"))
    assert response.status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(anonymous_client, main_stage):
    response = anonymous_client.get(ROOM_URL.format("main-stage"))
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/?next=/summits/roadshow/rooms/main-stage/")


def test_unknown_room_is_404(attendee_client, main_stage):
    assert attendee_client.get(ROOM_URL.format("no-such-room")).status_code == 404


def test_unknown_summit_is_404(attendee_client):
    assert attendee_client.get("/summits/nowhere/rooms/main-stage/").status_code == 404


def test_private_room_refuses_an_attendee_who_was_not_invited(attendee_client, private_pitch):
    response = attendee_client.get(ROOM_URL.format("fair-vision-private"))
    assert response.status_code == 403


def test_private_room_admits_its_invited_guests(attendee_paris, attendee_client, private_pitch):
    private_pitch.invited.add(attendee_paris)
    assert attendee_client.get(ROOM_URL.format("fair-vision-private")).status_code == 200


def test_private_room_page_admits_members_of_its_company(attendee_paris, attendee_client, fair_vision, private_pitch):
    fair_vision.members.add(attendee_paris)
    assert attendee_client.get(ROOM_URL.format("fair-vision-private")).status_code == 200


def test_private_room_admits_organisers(organiser_client, private_pitch):
    assert organiser_client.get(ROOM_URL.format("fair-vision-private")).status_code == 200


def test_private_room_admits_moderators(summit, private_pitch):
    moderator = make_person("mod", name="Mo Derator")
    Registration.objects.create(summit=summit, user=moderator, role=Registration.Role.MODERATOR)
    assert signed_in(moderator).get(ROOM_URL.format("fair-vision-private")).status_code == 200


def test_invitation_to_a_private_room_does_not_replace_registration(stranger, private_pitch):
    private_pitch.invited.add(stranger)
    assert signed_in(stranger).get(ROOM_URL.format("fair-vision-private")).status_code == 403


# --- what the page carries ------------------------------------------------------------


def test_page_tells_its_script_the_room_websocket(attendee_client, main_stage):
    response = attendee_client.get(ROOM_URL.format("main-stage"))
    room = next(attrs for tag, attrs in tags_of(response) if attrs.get("id") == "room")
    assert room["data-ws-path"] == "/ws/summits/roadshow/rooms/main-stage/"
    assert room["data-tz"] == "Europe/Paris"


def test_page_runs_no_inline_script_or_style(attendee_client, main_stage, streamed_keynote):
    response = attendee_client.get(ROOM_URL.format("main-stage"))
    tags = tags_of(response)
    scripts = [attrs for tag, attrs in tags if tag == "script"]
    assert {"type": "module", "src": "/static/js/room.js"} in scripts
    for attrs in scripts:
        assert "src" in attrs or attrs.get("type") == "application/json", attrs
    assert not [tag for tag, _attrs in tags if tag == "style"]
    for tag, attrs in tags:
        assert "style" not in attrs, tag
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)


def test_page_sends_a_content_security_policy_for_own_scripts_only(attendee_client, main_stage):
    response = attendee_client.get(ROOM_URL.format("main-stage"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_script_strings_come_translated_from_the_server(attendee_client, main_stage):
    labels = labels_of(attendee_client.get(ROOM_URL.format("main-stage")))
    # The attendee (Camille) reads French.
    assert labels["reconnecting"] == "Reconnexion…"
    assert labels["presence"]["one"] == "%(count)s personne présente"
    assert labels["presence"]["other"] == "%(count)s personnes présentes"
    assert set(labels["errors"]) == {"invalid", "forbidden", "not_found", "too_large", "rate_limited", "unavailable"}


def test_page_is_in_the_attendees_language(main_stage, attendee_shanghai):
    response = signed_in(attendee_shanghai).get(ROOM_URL.format("main-stage"))
    assert '<html lang="zh-hans">' in response.content.decode()


def test_live_session_is_shown_with_its_stream_in_the_viewers_time_zone(
    attendee_shanghai, main_stage, streamed_keynote
):
    response = signed_in(attendee_shanghai).get(ROOM_URL.format("main-stage"))
    page = response.content.decode()
    assert "Live keynote" in page
    assert timezone.localtime(streamed_keynote.starts_at, SHANGHAI).strftime("%H:%M") in page
    assert "(Asia/Shanghai)" in page
    iframe = next(attrs for tag, attrs in tags_of(response) if tag == "iframe")
    assert iframe["src"] == "https://www.youtube-nocookie.com/embed/live123"


def test_room_stream_plays_when_no_session_is_live(attendee_client, attendee_paris, summit, main_stage, keynote):
    Profile.objects.filter(user=attendee_paris).update(language="en")  # about the stream, not the language
    main_stage.stream_url = "https://player.vimeo.com/video/42"
    main_stage.save()
    response = attendee_client.get(ROOM_URL.format("main-stage"))
    iframe = next(attrs for tag, attrs in tags_of(response) if tag == "iframe")
    assert iframe["src"] == "https://player.vimeo.com/video/42"
    assert b"No session is live in this room right now." in response.content


def test_next_session_is_announced_when_nothing_is_live(attendee_client, main_stage):
    make_session(main_stage.summit, main_stage, "Coming soon talk", timezone.now() + dt.timedelta(hours=2))
    response = attendee_client.get(ROOM_URL.format("main-stage"))
    assert b"Coming soon talk" in response.content


def test_stage_has_questions_and_lounge_has_none(attendee_client, main_stage, lounge):
    assert b'id="question-form"' in attendee_client.get(ROOM_URL.format("main-stage")).content
    lounge_page = attendee_client.get(ROOM_URL.format("lounge")).content
    assert b'id="question-form"' not in lounge_page
    assert b'id="chat-form"' in lounge_page


def test_titles_written_by_organisers_are_escaped(attendee_client, summit, main_stage):
    main_stage.description = "<script>alert(1)</script>"
    main_stage.save()
    page = attendee_client.get(ROOM_URL.format("main-stage")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- ways in ---------------------------------------------------------------------------


def test_summit_home_links_each_room(attendee_client, main_stage, pitch_room):
    page = attendee_client.get("/summits/roadshow/").content.decode()
    assert 'href="/summits/roadshow/rooms/main-stage/"' in page
    assert 'href="/summits/roadshow/rooms/fair-vision/"' in page


def test_session_page_links_to_its_room(attendee_client, attendee_paris, keynote):
    Profile.objects.filter(user=attendee_paris).update(language="en")  # about the link, not the language
    page = attendee_client.get(f"/summits/roadshow/sessions/{keynote.pk}/").content.decode()
    assert 'href="/summits/roadshow/rooms/main-stage/"' in page
    assert "Join the room" in page
