"""The schedule in real headless Chromium: a first visit from Qingdao, and bookmarking in place.

Daphne serves summit.asgi against this test's own PostgreSQL database (as the meeting browser
test does); SQLite's in-memory test database is out of another process's reach, so there it skips.
"""

import datetime as dt

import pytest
from django.test import Client

from events.models import Registration, Room, Session, Summit
from tests.conftest import at_paris, make_person
from tests.servers import launch_chromium, server_of_this_test

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = dt.date(2027, 3, 29)  # 09:00 in Paris is 07:00 UTC and 15:00 in Shanghai (summer time in Paris)


@pytest.fixture
def programme():
    """Built before the browser starts: Playwright's sync API runs an event loop, where the ORM may not."""
    summit = Summit.objects.create(
        slug="roadshow",
        name="Innovation Roadshow",
        timezone="Europe/Paris",
        languages=["en", "fr", "zh-hans"],
        starts_on=DAY,
        ends_on=DAY + dt.timedelta(days=2),
    )
    rooms = [Room.objects.create(summit=summit, slug=f"room-{n}", name=f"Room {n}", position=n) for n in range(3)]
    sessions = []
    for day in range(3):  # a long page, so that losing the scroll position would show
        for hour in range(9, 17):
            for room in rooms:
                sessions.append(
                    Session.objects.create(
                        summit=summit,
                        room=room,
                        title=f"Talk {day}-{hour}-{room.position}",
                        starts_at=at_paris(DAY + dt.timedelta(days=day), f"{hour:02d}:00"),
                        ends_at=at_paris(DAY + dt.timedelta(days=day), f"{hour:02d}:45"),
                    )
                )
    camille = make_person("camille", name="Camille Bernard")
    Registration.objects.create(summit=summit, user=camille)
    client = Client()
    client.force_login(camille)  # the session row lives in the test database the server reads
    return {"first": sessions[0], "last": sessions[-1], "camille_cookie": client.cookies["sessionid"].value}


@pytest.fixture
def server(tmp_path, programme):
    with server_of_this_test(tmp_path, TIME_ZONE="UTC") as url:
        yield url


@pytest.fixture
def browser(server):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def document_loads(page):
    """Every HTML document the page loads: a reload would add one."""
    loads = []
    page.on("response", lambda r: loads.append(r.url) if r.request.resource_type == "document" else None)
    return loads


def test_a_first_visit_from_shanghai_shows_shanghai_times_with_one_page_load(browser, server, programme):
    from playwright.sync_api import expect

    context = browser.new_context(timezone_id="Asia/Shanghai", locale="zh-CN")
    page = context.new_page()
    loads = document_loads(page)
    page.goto(f"{server}/summits/roadshow/schedule/")
    first = page.locator(f"#session-{programme['first'].pk} time").first
    expect(first).to_have_text("15:00")
    expect(page.locator("header.site [data-zone-label]")).to_have_text("Asia/Shanghai")
    page.wait_for_load_state("networkidle")
    assert loads == [f"{server}/summits/roadshow/schedule/"]
    # The next page comes from the server already in Shanghai time: the cookie was read, decoded.
    page.goto(f"{server}/summits/roadshow/sessions/{programme['first'].pk}/")
    assert "15:00" in page.locator("p.when").inner_text()
    assert page.evaluate("document.body.dataset.zoneSource") == "cookie"
    context.close()


def test_on_a_wide_screen_each_room_has_its_column(browser, server, programme):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{server}/summits/roadshow/schedule/")
    day = page.locator("section.day").first
    headings = [day.locator(".room-heading").nth(n).bounding_box() for n in range(3)]
    nine = [day.locator(".slot").filter(has_text=f"Talk 0-9-{n}").bounding_box() for n in range(3)]
    ten = day.locator(".slot").filter(has_text="Talk 0-10-0").bounding_box()
    assert [box["x"] for box in nine] == [box["x"] for box in headings]  # side by side, under their rooms
    assert len({box["y"] for box in nine}) == 1
    assert ten["x"] == nine[0]["x"] and ten["y"] > nine[0]["y"]  # Room 0's next talk below its first
    context.close()


def test_bookmarking_keeps_the_page_and_its_scroll_position(browser, server, programme):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1200, "height": 700})
    context.add_cookies(
        [
            {"name": "sessionid", "value": programme["camille_cookie"], "url": server},
            {"name": "summit_tz", "value": "Europe/Paris", "url": server},
        ]
    )
    page = context.new_page()
    loads = document_loads(page)
    page.goto(f"{server}/summits/roadshow/schedule/")
    last = page.locator(f"#session-{programme['last'].pk}")
    last.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 1000
    last.locator("button.bookmark").click()
    expect(last.locator("button.bookmark")).to_have_attribute("aria-pressed", "true")
    expect(last.locator("button.bookmark")).to_have_text("In my agenda")
    assert page.evaluate("window.scrollY") == scrolled
    assert len(loads) == 1
    agenda = context.request.get(f"{server}/api/me/agenda/").json()  # her cookie, as the page's own requests
    assert [s["id"] for s in agenda] == [programme["last"].pk]
    last.locator("button.bookmark").click()
    expect(last.locator("button.bookmark")).to_have_attribute("aria-pressed", "false")
    assert context.request.get(f"{server}/api/me/agenda/").json() == []
    assert len(loads) == 1
    context.close()


def test_on_a_phone_the_schedule_reads_by_time_and_a_room_opens_on_its_chat(browser, server, programme):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 800}, is_mobile=True)
    context.add_cookies(
        [
            {"name": "sessionid", "value": programme["camille_cookie"], "url": server},
            {"name": "summit_tz", "value": "Europe/Paris", "url": server},
        ]
    )
    page = context.new_page()
    page.goto(f"{server}/summits/roadshow/schedule/")
    day = page.locator("section.day").first
    expect(day.locator(".room-heading").first).to_be_hidden()
    cards = day.locator(".slot")
    boxes = [cards.nth(n).bounding_box() for n in range(4)]
    assert len({box["x"] for box in boxes}) == 1  # one column...
    assert [box["y"] for box in boxes] == sorted(box["y"] for box in boxes)  # ...read top to bottom
    assert cards.locator(".title").all_inner_texts()[:4] == [
        "Talk 0-9-0",
        "Talk 0-9-1",
        "Talk 0-9-2",
        "Talk 0-10-0",
    ]  # by time, whatever the room
    # A room with nothing playing on a phone: the stage on top, the chat under it still on the first screen.
    page.goto(f"{server}/summits/roadshow/rooms/room-0/")
    expect(page.locator(".stream-empty")).to_be_visible()
    chat, stage = page.locator("#chat-body").bounding_box(), page.locator(".room-stage").bounding_box()
    assert chat["y"] + chat["height"] <= 800
    assert stage["y"] < chat["y"]
    context.close()
