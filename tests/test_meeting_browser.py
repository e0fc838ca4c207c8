"""Meetings in a real browser: booked through the slot picker and accepted; mutual interest turned into a
meeting, from a company page to an accepted meeting, without anyone typing a URL."""

import pytest
from django.test import Client

from events.models import Company
from partnering import services
from tests.partnering_helpers import make_summit, registered
from tests.servers import launch_chromium, server_of_this_test

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server(tmp_path):
    """Daphne serving summit.asgi against this test's own database, on a free port."""
    # Tasks run in the server process (eager), so notices reach the page live and are mailed to files.
    with server_of_this_test(
        tmp_path,
        CELERY_TASK_ALWAYS_EAGER="1",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
    ) as url:
        yield url


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
    amelie, _card = registered(summit, "amelie", "Europe/Paris")
    company = Company.objects.create(summit=summit, slug="fair-vision", name="Fair Vision", country="FR")
    company.members.add(amelie)
    services.do_create_missing_profiles(summit)
    return {
        "camille": session_cookie(camille),
        "lina": session_cookie(lina),
        "lina_card": lina_card.pk,
        "amelie": session_cookie(amelie),
    }


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
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if message.type == "error" and "404" not in message.text else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico")
            else None
        ),
    )
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


def test_interest_answered_back_becomes_an_accepted_meeting_without_typing_a_url(server, people, browser, tmp_path):
    camille = signed_in_page(browser, server, people["camille"])
    camille.goto("/summits/roadshow/")  # the one address anyone types: the summit's home
    camille.get_by_role("link", name="Fair Vision").first.click()
    camille.get_by_role("button", name="Interested").click()
    camille.wait_for_selector('[data-interest="sent"]')
    assert camille.get_by_role("link", name="Meet this company").count() == 1
    camille.wait_for_selector("body[data-notices=live]")

    amelie = signed_in_page(browser, server, people["amelie"])
    amelie.goto("/summits/roadshow/")
    amelie.get_by_role("link", name="Fair Vision").first.click()
    amelie.get_by_role("link", name="See who is interested").click()
    interested = amelie.locator("li.interested-person")
    assert "Camille Bernard" in interested.inner_text()
    interested.get_by_role("button", name="Interested").click()
    amelie.wait_for_url("**/partnering/introductions/**")
    offer = amelie.locator("li.introduction")
    assert "Camille Bernard" in offer.inner_text()
    offer.locator("button.slot-button").first.click()
    amelie.wait_for_url("**/partnering/meetings/*/")
    assert "Meeting with Camille Bernard" in amelie.locator("h1").inner_text()

    # Camille's page, open all along, hears both notices live: the interest answered and the request.
    camille.wait_for_selector('#notice-count[data-count="2"]')
    camille.get_by_role("link", name="Notifications").click()
    notice = camille.locator("li.notice", has_text="Fair Vision is interested too")
    notice.get_by_role("button", name="Open").click()
    camille.wait_for_url("**/partnering/introductions/**")
    pending = camille.locator("li.introduction .meeting")
    assert "Fair Vision" in pending.inner_text()
    pending.get_by_role("button", name="Accept").click()
    camille.wait_for_url("**/partnering/meetings/*/")
    assert camille.locator(".status").first.get_attribute("data-status") == "accepted"

    amelie.reload()
    assert amelie.locator(".status").first.get_attribute("data-status") == "accepted"
    mailed = sorted(path.read_text() for path in (tmp_path / "mail").iterdir())
    assert sum("Subject: Fair Vision is interested too" in text for text in mailed) == 1
    assert sum("Subject: Fair Vision asks to meet you" in text for text in mailed) == 1
    assert camille.problems == [] and amelie.problems == []
