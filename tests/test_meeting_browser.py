"""A person books a meeting through the slot picker in a real browser, and the other party accepts it."""

import os

import pytest
from django.db import connection
from django.test import Client

from partnering import services
from tests.partnering_helpers import make_summit, registered
from tests.servers import database_url_for, free_port, launch_chromium, start_daphne, stop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server(tmp_path):
    """Daphne serving summit.asgi against this test's own database, on a free port."""
    url = database_url_for(connection)
    if url is None:
        pytest.skip("A separate server process cannot see SQLite's in-memory test database.")
    env = {**os.environ, "DATABASE_URL": url,
           "HTTPS": "0", "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "summit.settings"}
    env.pop("REDIS_URL", None)
    port = free_port()
    process = start_daphne(port, env, tmp_path / "daphne.log", ready_path="/api/summits/")
    yield f"http://127.0.0.1:{port}"
    stop(process)


@pytest.fixture
def people():
    """Built before the browser starts: Playwright's sync API runs an event loop, where the ORM may not."""
    import datetime as dt

    summit = make_summit("roadshow", dt.date(2027, 3, 29), dt.date(2027, 3, 31))
    camille, _ = registered(summit, "camille", "Europe/Paris")
    lina, lina_card = registered(summit, "lina", "Asia/Shanghai", "CN", city="Qingdao")
    for user, name in ((camille, "Camille Bernard"), (lina, "Li Na")):
        user.profile.name = name
        user.profile.save()
    services.do_create_missing_profiles(summit)
    return {"camille": session_cookie(camille), "lina": session_cookie(lina), "lina_card": lina_card.pk}


def session_cookie(user):
    client = Client()
    client.force_login(user)  # the session row lives in the test database the server reads
    return client.cookies["sessionid"].value


@pytest.fixture
def browser(server, people):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def signed_in_page(browser, base, session):
    context = browser.new_context(base_url=base)
    context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    page = context.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" and "404" not in message.text else None)
    page.on("response", lambda response: problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico") else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    return page


def test_booking_through_the_slot_picker_reaches_the_other_party(server, people, browser):
    page = signed_in_page(browser, server, people["camille"])
    page.goto(f"/summits/roadshow/partnering/partners/{people['lina_card']}/")
    picker = page.locator("form.slot-picker")
    first = picker.locator("label.slot-choice").first
    assert "09:00 Paris · 15:00 Qingdao" in first.inner_text()
    first.locator("input[type=radio]").check()
    picker.locator("textarea[name=message]").fill("Shall we talk distribution?")
    picker.locator("button[type=submit]").click()
    page.wait_for_url("**/partnering/meetings/*/")
    assert "Meeting with Li Na" in page.locator("h1").inner_text()

    other = signed_in_page(browser, server, people["lina"])
    other.goto("/summits/roadshow/partnering/meetings/")
    meeting = other.locator("li.meeting").first
    assert "Camille Bernard" in meeting.inner_text() and "15:00 Qingdao" in meeting.inner_text()
    meeting.get_by_role("button", name="Accept").click()
    other.wait_for_url("**/partnering/meetings/*/")
    assert other.locator(".status").first.get_attribute("data-status") == "accepted"
    assert other.get_by_role("link", name="Open the private meeting room").count() == 1

    page.goto("/summits/roadshow/partnering/meetings/")
    assert page.locator("li.meeting .status").first.get_attribute("data-status") == "accepted"
    assert page.problems == [] and other.problems == []
