"""Every page of the demo, as the people who use it see it, has no critical or serious axe-core violation;
and the keyboard still reaches the content first (skip link) with a visible focus."""

import json
import subprocess
import sys

import pytest

from tests.accessibility import blocking_violations
from tests.servers import ROOT, demo_server, launch_chromium

pytestmark = [pytest.mark.browser, pytest.mark.multiprocess]

SLUG = "sophia-qingdao-ai-ict-roadshow"
ORGANISER = "organiser"
CAMILLE = "camille.bernard@example.fr"  # an attendee in Paris, in French
LI_NA = "li.na@example.cn"  # an attendee in Qingdao, in Chinese
JULIEN = "julien.marchetti@example.fr"  # Fair Vision's founder: the company's leads

# Run in the demo's database: the ids pages need, and questions in the live room (one dismissed).
IDS_SCRIPT = f"""
import json, django
django.setup()
from django.contrib.auth import get_user_model
from django.utils import timezone
from events.models import Company, Room, Session, Speaker, Summit
from livechat.models import Question
from partnering.models import Meeting, PartnerProfile

summit = Summit.objects.get(slug="{SLUG}")
users = {{u.username: u for u in get_user_model().objects.all()}}
stage = Room.objects.get(summit=summit, slug="main-stage")
now = timezone.now()
live = Session.objects.filter(room=stage, starts_at__lte=now, ends_at__gt=now).first()
for body, status in [("Will the slides be shared?", "approved"), ("Off-topic advert", "dismissed")]:
    Question.objects.get_or_create(room=stage, session=live, author=users["{CAMILLE}"], body=body,
                                   defaults={{"status": status}})
camille = PartnerProfile.objects.get(summit=summit, user=users["{CAMILLE}"])
meeting = Meeting.objects.filter(summit=summit).first()
print(json.dumps({{
    "session": Session.objects.filter(summit=summit).first().pk,
    "room": stage.pk,
    "speaker": Speaker.objects.filter(summit=summit).first().pk,
    "company": Company.objects.get(summit=summit, slug="fair-vision").pk,
    "partner": PartnerProfile.objects.filter(summit=summit).exclude(pk=camille.pk).first().pk,
    "meeting": meeting.pk if meeting else None,
    "meeting_people": [p.user.username for p in (meeting.requester, meeting.invitee) if p.user] if meeting else [],
}}))
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with demo_server(tmp_path_factory.mktemp("a11y"), [ORGANISER, CAMILLE, LI_NA, JULIEN], label="a11y") as server:
        ids = subprocess.run(
            [sys.executable, "-c", IDS_SCRIPT], cwd=ROOT, env=server["env"], check=True, capture_output=True, text=True
        ).stdout
        yield {**server, "ids": json.loads(ids)}


@pytest.fixture(scope="module")
def browser(demo):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def page_for(browser, demo, who):
    context = browser.new_context(base_url=demo["url"])
    if who:
        context.add_cookies([{"name": "sessionid", "value": demo["cookies"][who], "url": demo["url"]}])
    return context.new_page()


S = f"/summits/{SLUG}"
E = f"{S}/organiser/programme"
PAGES = [
    (None, "/"),
    (None, f"{S}/"),
    (None, f"{S}/schedule/"),
    (None, f"{S}/sessions/{{session}}/"),
    (None, f"{S}/companies/fair-vision/"),
    (None, f"{S}/register/"),
    (None, "/signin/"),
    (CAMILLE, f"{S}/schedule/"),
    (CAMILLE, f"{S}/sessions/{{session}}/"),
    (CAMILLE, f"{S}/agenda/"),
    (LI_NA, f"{S}/schedule/"),
    (CAMILLE, f"{S}/partnering/"),
    (CAMILLE, f"{S}/partnering/me/"),
    (CAMILLE, f"{S}/partnering/partners/{{partner}}/"),
    (CAMILLE, f"{S}/partnering/meetings/"),
    (JULIEN, f"{S}/partnering/companies/fair-vision/leads/"),
    (ORGANISER, f"{S}/organiser/"),
    (ORGANISER, f"{S}/reports/attendance/"),
    (ORGANISER, f"{S}/partnering/organiser/"),
    (ORGANISER, f"{E}/"),
    (ORGANISER, f"{E}/sessions/new/"),
    (ORGANISER, f"{E}/sessions/{{session}}/"),
    (ORGANISER, f"{E}/run-sheet/{{day}}/"),
    (ORGANISER, f"{E}/rooms/"),
    (ORGANISER, f"{E}/rooms/{{room}}/"),
    (ORGANISER, f"{E}/tracks/"),
    (ORGANISER, f"{E}/tracks/new/"),
    (ORGANISER, f"{E}/speakers/"),
    (ORGANISER, f"{E}/speakers/{{speaker}}/"),
    (ORGANISER, f"{E}/companies/"),
    (ORGANISER, f"{E}/companies/{{company}}/"),
    (ORGANISER, f"{S}/rooms/main-stage/go-live/"),
]


@pytest.mark.parametrize(("who", "path"), PAGES, ids=[f"{who or 'anonymous'} {path}" for who, path in PAGES])
def test_page_has_no_serious_accessibility_violation(browser, demo, who, path):
    import datetime as dt

    page = page_for(browser, demo, who)
    url = path.format(day=dt.date.today().isoformat(), **demo["ids"])
    response = page.goto(url)
    assert response.status == 200, url
    violations = blocking_violations(page)
    assert not violations, "\n".join(violations)
    page.context.close()


def test_a_meeting_page_has_no_serious_accessibility_violation(browser, demo):
    if not demo["ids"]["meeting"]:
        pytest.skip("The demo days hold no common slot (a weekend): no meeting was booked.")
    who = (
        next(p for p in demo["ids"]["meeting_people"] if p in demo["cookies"])
        if set(demo["ids"]["meeting_people"]) & set(demo["cookies"])
        else None
    )
    if who is None:
        pytest.skip("No signed-in person of this test is in the demo's first meeting.")
    page = page_for(browser, demo, who)
    page.goto(f"{S}/partnering/meetings/{demo['ids']['meeting']}/")
    violations = blocking_violations(page)
    assert not violations, "\n".join(violations)
    page.context.close()


@pytest.mark.parametrize("who", [CAMILLE, ORGANISER])
def test_the_live_room_has_no_serious_accessibility_violation(browser, demo, who):
    """The room once its socket is live: chat, questions (the organiser also sees the dismissed one), reactions."""
    from playwright.sync_api import expect

    page = page_for(browser, demo, who)
    page.goto(f"{S}/rooms/main-stage/")
    expect(page.locator("#room")).to_have_attribute("data-connection", "live", timeout=15_000)
    page.fill("#chat-body", "Bonjour à tous")
    page.press("#chat-body", "Enter")
    expect(page.locator("#chat-log li:not(.sending)").first).to_be_visible(timeout=15_000)
    expect(page.locator("#questions .question").first).to_be_visible(timeout=15_000)
    violations = blocking_violations(page)
    assert not violations, "\n".join(violations)
    page.context.close()


def test_the_keyboard_reaches_the_skip_link_first_and_focus_is_visible(browser, demo):
    page = page_for(browser, demo, ORGANISER)
    page.goto(f"{E}/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.bounding_box()["x"] >= 0  # shown on screen once focused
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.closest('main') !== null")
    assert focused
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.context.close()
