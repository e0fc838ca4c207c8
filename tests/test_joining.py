"""The schedule helps people join: what is live, what comes next, in their zone, language and locale."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone, translation

from events import services
from events.middleware import TZ_COOKIE
from events.signals import replay_urls
from scheduler import charts
from tests.conftest import at_paris, csrf_headers, make_session, signed_in

pytestmark = pytest.mark.django_db

SLUG = "roadshow"


@pytest.fixture
def running(summit, main_stage):
    return make_session(summit, main_stage, "Running now", timezone.now() - dt.timedelta(minutes=10), 60)


@pytest.fixture
def finished(summit, pitch_room):
    return make_session(summit, pitch_room, "Already over", timezone.now() - dt.timedelta(hours=3), 30)


@pytest.fixture
def later(summit, main_stage):
    return make_session(summit, main_stage, "Later today", timezone.now() + dt.timedelta(hours=2), 30)


def slot(page, session):
    """The grid's copy of `session` on the schedule page."""
    match = re.search(rf'<li class="slot[^"]*" id="session-{session.pk}".*?</li>', page, re.S)
    assert match, f"session {session.pk} is not on the page"
    return match.group(0)


def test_a_live_session_is_marked_with_a_join_button_into_its_room(attendee_client, running):
    page = attendee_client.get(f"/summits/{SLUG}/schedule/").content.decode()
    card = slot(page, running)
    assert 'class="badge live">En direct' in card  # Camille reads French
    assert re.search(r'<a class="button join" href="/summits/roadshow/rooms/main-stage/">Rejoindre', card)


def test_past_sessions_cannot_be_bookmarked_and_future_ones_can(attendee_client, finished, later):
    page = attendee_client.get(f"/summits/{SLUG}/schedule/").content.decode()
    assert "bookmark-form" not in slot(page, finished)
    assert "bookmark-form" in slot(page, later)
    response = attendee_client.post(f"/api/sessions/{finished.pk}/bookmark/", headers=csrf_headers(attendee_client))
    assert response.status_code == 409
    assert response.json()["detail"] == "Cette session est terminée."


def test_a_past_session_links_to_its_replay_only_when_there_is_one(attendee_client, finished):
    page = attendee_client.get(f"/summits/{SLUG}/schedule/").content.decode()
    assert "Watch the replay" not in slot(page, finished)

    def replays(sessions, **signal):
        return {s.pk: f"/replays/{s.pk}/" for s in sessions}

    replay_urls.connect(replays)
    try:
        page = attendee_client.get(f"/summits/{SLUG}/schedule/").content.decode()
    finally:
        replay_urls.disconnect(replays)
    assert f'href="/replays/{finished.pk}/"' in slot(page, finished)


def test_now_and_next_lists_live_sessions_first_then_the_next_to_start(anonymous_client, running, later, finished):
    page = anonymous_client.get(f"/summits/{SLUG}/schedule/").content.decode()
    top = page.split('id="now-next-title"', 1)[1].split("</section>", 1)[0]
    assert top.index("Running now") < top.index("Later today")
    assert "Already over" not in top


def test_coming_up_leaves_out_running_sessions_which_are_live_now(anonymous_client, running, later):
    page = anonymous_client.get(f"/summits/{SLUG}/").content.decode()
    coming_up = page.split('id="coming-up-title"', 1)[1].split("</section>", 1)[0]
    live_now = page.split('id="live-now-title"', 1)[1].split("</section>", 1)[0]
    assert "Later today" in coming_up and "Running now" not in coming_up
    assert "Running now" in live_now and 'href="/summits/roadshow/rooms/main-stage/"' in live_now


def test_each_session_says_the_language_it_is_spoken_in(anonymous_client, keynote):
    keynote.language = "zh-hans"
    keynote.save()
    page = anonymous_client.get(f"/summits/{SLUG}/schedule/", headers={"Accept-Language": "fr"}).content.decode()
    assert "en chinois" in slot(page, keynote)
    detail = anonymous_client.get(f"/summits/{SLUG}/sessions/{keynote.pk}/").content.decode()
    assert "in Chinese" in detail


def test_the_schedule_in_chinese_shows_chinese_titles_rooms_and_dates(anonymous_client, keynote):
    keynote.title_zh_hans = "开幕主旨演讲"
    keynote.save()
    keynote.room.name_zh_hans = "主会场"
    keynote.room.save()
    page = anonymous_client.get(
        f"/summits/{SLUG}/schedule/", {"tz": "Asia/Shanghai"}, headers={"Accept-Language": "zh-hans"}
    ).content.decode()
    assert "开幕主旨演讲" in page and "主会场" in page
    assert "Opening keynote" not in page
    assert "3月29日 星期一" in page  # Chinese date order and numeric months
    assert "三月" not in page


def test_the_browser_zone_cookie_is_url_decoded(anonymous_client, keynote):
    anonymous_client.cookies[TZ_COOKIE] = "Asia%2FShanghai"  # as encodeURIComponent writes it
    page = anonymous_client.get(f"/summits/{SLUG}/schedule/").content.decode()
    assert ">15:00</time>" in page
    assert "Times in <span data-zone-label>Asia/Shanghai</span>" in page
    assert 'data-zone-source="cookie"' in page


def test_a_first_visit_tells_the_script_the_server_knew_no_zone(anonymous_client, keynote):
    page = anonymous_client.get(f"/summits/{SLUG}/schedule/").content.decode()
    assert 'data-zone-source="default"' in page
    assert f'<time datetime="{keynote.starts_at.astimezone(dt.UTC).isoformat()}" data-local="time">' in page


def test_the_session_page_shows_the_organisers_zone_beside_the_readers(attendee_shanghai, keynote):
    page = signed_in(attendee_shanghai).get(f"/summits/{SLUG}/sessions/{keynote.pk}/").content.decode()
    when = page.split('class="meta when"', 1)[1].split("</p>", 1)[0]
    assert "15:00" in when and "Asia/Shanghai" in when
    assert "Europe/Paris" in when and "09:00" in when


def test_bookmarking_without_javascript_comes_back_to_the_session(attendee_client, keynote):
    response = attendee_client.post(
        f"/summits/{SLUG}/sessions/{keynote.pk}/bookmark/",
        {
            "action": "add",
            "next": f"/summits/{SLUG}/schedule/#session-{keynote.pk}",
            "csrfmiddlewaretoken": csrf_headers(attendee_client)["X-CSRFToken"],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/summits/{SLUG}/schedule/#session-{keynote.pk}"
    assert services.bookmarked_ids(keynote.summit.registrations.get(role="attendee").user, keynote.summit) == {
        keynote.pk
    }


def test_signing_in_from_a_room_offers_to_register_and_comes_back(summit, main_stage):
    client = Client()
    room = f"/summits/{SLUG}/rooms/main-stage/"
    sent = client.get(room)
    assert sent.status_code == 302 and sent["Location"].startswith("/signin/?next=")
    page = client.get(sent["Location"]).content.decode()
    register = re.search(r'href="(/summits/roadshow/register/\?next=[^"]+)"', page)
    assert register, "no registration link on the sign-in page"
    url = register.group(1).replace("&amp;", "&")
    form = client.get(url).content.decode()
    assert f'name="next" value="{room}"' in form
    response = client.post(
        url,
        {
            "name": "Zhao Yang",
            "email": "zhao@example.cn",
            "timezone": "Asia/Shanghai",
            "language": "zh-hans",
            "next": room,
        },
    )
    assert response.status_code == 302 and response["Location"] == room
    assert client.get(room).status_code == 200


def test_signing_in_from_elsewhere_offers_no_registration(db):
    assert "New here?" not in Client().get("/signin/").content.decode()
    assert "New here?" not in Client().get("/signin/", {"next": "https://evil.example/"}).content.decode()


def test_report_chart_days_and_numbers_follow_the_readers_locale():
    start = at_paris(dt.date(2027, 3, 30), "10:00")
    points = [((start + dt.timedelta(minutes=10 * i)).isoformat(), n) for i, n in enumerate([0, 1, 2, 1])]
    with translation.override("zh-hans"):
        chinese = charts.timeline_chart(points, start.tzinfo)
    with translation.override("fr"):
        french = charts.timeline_chart(points, start.tzinfo)
    assert chinese["x_ticks"][0]["label"] == "星期二 10:00"
    assert french["x_ticks"][0]["label"] == "mar 10:00"
    assert "0,5" in [tick["label"] for tick in french["y_ticks"]]
