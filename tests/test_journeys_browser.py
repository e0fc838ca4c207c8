"""Each role from sign-in to outcome, in French and in Chinese, on the demo summit, as a person would go.

Every page a journey opens fails it on a console or page error, on a failed request, and on English
of the catalogue left untranslated (tests/journeys.py); where the page shows a figure the API also
gives (a session's time, the notification count), the two must agree.
"""

import datetime as dt
import json
import re
import subprocess
import sys
import zoneinfo
from email import message_from_bytes
from email.policy import default as default_policy

import pytest

from tests.journeys import PHONE, Journey
from tests.servers import ROOT, demo_server

pytestmark = [pytest.mark.browser, pytest.mark.multiprocess]

SLUG = "sophia-qingdao-ai-ict-roadshow"
S = f"/summits/{SLUG}"
JULIEN = "julien.marchetti@example.fr"  # a member of Fair Vision
INTERESTED = {"fr": "camille.bernard@example.fr", "zh-hans": "li.na@example.cn"}
NAMES = {"fr": "Camille Bernard", "zh-hans": "Li Na"}
LANGUAGES = ["fr", "zh-hans"]
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# What each language's attendee and organiser type: a journey writes in the language it reads.
TYPED = {
    "fr": {
        "name": "Zhou Min",
        "chat": "Bonjour depuis Shanghai",
        "question": "Quand la démo sera-t-elle disponible ?",
        "room": "Salle des partenaires",
        "track": "Santé numérique",
        "session": "Atelier sur les dispositifs médicaux",
    },
    "zh-hans": {
        "name": "周敏",
        "chat": "来自上海的问候",
        "question": "演示什么时候可以用？",
        "room": "合作伙伴会场",
        "track": "数字健康",
        "session": "医疗器械研讨会",
    },
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("journeys")
    mail = tmp / "mail"
    mail.mkdir()
    # Tasks run in the server process, so a sign-in link is mailed (to files) before the page answers.
    extra = {
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail),
    }
    with demo_server(tmp, list(INTERESTED.values()), label="journeys", **extra) as server:
        yield {**server, "mail": mail}


@pytest.fixture(scope="module")
def browser(demo):
    from playwright.sync_api import sync_playwright

    from tests.servers import launch_chromium

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


# An organiser's poll on the main stage, written in the summit's three languages (run in the demo's
# database; the client_id makes a second run answer the same poll).
POLL = {
    "en": ("Which market should you enter first?", ["Europe", "China"]),
    "fr": ("Quel marché aborder en premier ?", ["L'Europe", "La Chine"]),
    "zh-hans": ("应该先进入哪个市场？", ["欧洲", "中国"]),
}
POLL_SCRIPT = """
import json, sys, django
django.setup()
from django.contrib.auth import get_user_model
from events.models import Room
from livechat import polls
texts = json.loads(sys.argv[1])
room = Room.objects.get(summit__slug=sys.argv[2], slug="main-stage")
organiser = get_user_model().objects.get(username="organiser")
question = {code: question for code, (question, _options) in texts.items()}
options = [{code: options[n] for code, (_question, options) in texts.items()} for n in range(2)]
polls.do_create_poll(organiser.pk, room.pk, "staff", question, options, client_id="journey-poll")
"""


def open_a_poll_in_each_language(demo):
    subprocess.run([sys.executable, "-c", POLL_SCRIPT, json.dumps(POLL), SLUG], cwd=ROOT, env=demo["env"], check=True)


def choose_language(journey, language):
    """The header's language switcher, as a person uses it (it saves a signed-in person's choice).

    Only once the page has loaded: its module scripts, which submit the switcher on change, run by then.
    """
    journey.page.wait_for_load_state("load")
    with journey.page.expect_navigation():
        journey.page.select_option("#lang-select", language)
    assert journey.page.locator("html").get_attribute("lang") == language
    journey.check()


def signin_link_for(demo, email):
    """The path of the newest sign-in link mailed to `email`."""
    for path in sorted(demo["mail"].iterdir(), key=lambda p: p.stat().st_mtime, reverse=True):
        message = message_from_bytes(path.read_bytes(), policy=default_policy)
        if email in message["To"]:
            body = message.get_body(preferencelist=("plain",)).get_content()
            return re.search(r"https?://[^/\s]+(/signin/[^/\s]+/)", body).group(1)
    raise AssertionError(f"no sign-in link was mailed to {email}")


# --- The attendee in Shanghai ---------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_attendee_in_shanghai_registers_plans_and_talks_in_the_room(browser, demo, language):
    typed = TYPED[language]
    me = Journey(browser, demo["url"], language, timezone_id="Asia/Shanghai", viewport=PHONE)
    me.goto(f"{S}/")
    header = me.page.locator("header.site").bounding_box()
    assert header["height"] <= 0.15 * PHONE["height"], f"the header takes {header['height']}px of 844"
    me.screenshot("attendee-home")
    me.page.locator(f"a[href^='{S}/register/']").first.click()
    me.check()
    me.page.fill("input[name=name]", typed["name"])
    me.page.fill("input[name=email]", f"zhou.min.{language}@example.cn")
    me.page.fill("input[name=country]", "CN")
    assert me.page.input_value("input[name=timezone]") == "Asia/Shanghai"
    assert me.page.input_value("main select[name=language]") == language
    me.page.click("form.stack button[type=submit]")
    me.check()

    # The schedule in Shanghai time: the page's first time is the API's start, read in Shanghai.
    me.goto(f"{S}/schedule/")
    assert me.page.text_content("[data-zone-label]") == "Asia/Shanghai"  # folded in the phone menu
    first = me.page.locator("li.slot[data-session]").first
    session_id = int(first.get_attribute("data-session"))
    starts = dt.datetime.fromisoformat(first.locator("p.time time").first.get_attribute("datetime"))
    api_session = next(s for s in schedule(me) if s["id"] == session_id)
    assert dt.datetime.fromisoformat(api_session["starts_at"]) == starts
    assert starts.astimezone(SHANGHAI).strftime("%H:%M") in first.locator("p.time").inner_text()
    me.screenshot("attendee-schedule")

    # Bookmark a session still to come; the agenda (API) has it.
    upcoming = me.page.locator("li.slot:has(form.bookmark-form)").first
    upcoming_id = int(upcoming.get_attribute("data-session"))
    upcoming.locator("button.bookmark").click()
    me.page.wait_for_selector(f"li.slot[data-session='{upcoming_id}'] button.bookmark[aria-pressed=true]")
    me.check()
    assert upcoming_id in [s["id"] for s in me.api("/api/me/agenda/")]

    # The room: chat and a question, on a phone, each under the video in its tab.
    me.goto(f"{S}/rooms/main-stage/")
    me.page.wait_for_selector("#room[data-connection=live]")
    me.screenshot("attendee-room")
    stage, tabs = (me.page.locator(css).bounding_box() for css in (".room-stage", ".room-tabs"))
    assert stage["y"] < tabs["y"], "on a phone the video stays on top, the tabs under it"
    open_tab(me, "chat")
    me.page.fill("#chat-body", typed["chat"])
    me.page.press("#chat-body", "Enter")
    me.page.locator("#chat-log li:not(.sending) .body", has_text=typed["chat"]).wait_for()
    open_tab(me, "questions")
    me.page.fill("#question-body", typed["question"])
    me.page.click("#question-form button[type=submit]")
    me.page.locator("#questions .question", has_text=typed["question"]).wait_for()
    me.check()
    me.screenshot("attendee-question")
    # The organiser's poll, written in three languages, reads in mine.
    open_a_poll_in_each_language(demo)
    open_tab(me, "polls")
    question, options = POLL[language]
    poll = me.page.locator("#polls .poll", has_text=question)
    poll.wait_for()
    assert poll.locator(".poll-label").all_inner_texts() == options
    me.check()
    me.close()


def open_tab(journey, name):
    """On a phone the room's chat, questions and polls are tabs under the video (none on a wide screen)."""
    tab = journey.page.locator(f"[role=tab][aria-controls=room-panel-{name}]")
    if tab.is_visible():
        tab.click()
        assert tab.get_attribute("aria-selected") == "true"


def schedule(journey):
    return journey.api(f"/api/summits/{SLUG}/schedule/")["sessions"]


# --- The company member ---------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_company_member_signs_in_answers_interest_and_meets_on_the_introductions_page(browser, demo, language):
    interested = Journey(browser, demo["url"], language, cookies=[("sessionid", demo["cookies"][INTERESTED[language]])])
    interested.goto(f"{S}/companies/fair-vision/")
    interested.page.click("form.interest button[type=submit]")
    interested.page.wait_for_selector("[data-interest]")
    interested.check()
    their_name = NAMES[language]
    interested.close()

    member = Journey(browser, demo["url"], language)
    member.goto("/signin/")
    member.page.fill("input[name=email]", JULIEN)
    member.page.locator("form:has(input[name=email]) button[type=submit]").click()
    member.check()
    member.goto(signin_link_for(demo, JULIEN))
    with member.page.expect_navigation():
        member.page.locator("main form button[type=submit]").click()
    choose_language(member, language)

    member.goto(f"{S}/companies/fair-vision/")
    member.page.locator("a[href$='#interested']").click()
    member.check()
    row = member.page.locator("li.interested-person", has_text=their_name)
    with member.page.expect_navigation():
        row.locator("form button[type=submit]").click()  # answered: straight to the introductions page
    member.check()
    assert "/partnering/introductions/" in member.page.url
    company_name = next(s["company_name"] for s in schedule(member) if s["company"] == "fair-vision")
    intro = member.page.locator("li.introduction", has_text=their_name)
    assert company_name in intro.inner_text() and "fair-vision" not in intro.inner_text()
    member.assert_same_figure("#notice-count", "/api/me/notifications/?unread=true", len)
    member.screenshot("member-introductions")
    member.close()


# --- The organiser --------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_organiser_builds_a_room_a_track_and_a_session_in_their_language(browser, demo, language):
    typed, box = TYPED[language], language.replace("-", "_")
    me = Journey(browser, demo["url"], language)
    me.goto("/signin/")
    me.page.fill("input[name=username]", "organiser")
    me.page.fill("input[name=password]", demo["env"]["DEMO_PASSWORD"])
    with me.page.expect_navigation():  # signed in: the next page's switcher is the one to use
        me.page.locator("form:has(input[name=password]) button[type=submit]").click()
    # The demo organiser saved English: signed in, the pages follow that until they choose again.
    choose_language(me, language)
    me.goto(f"{S}/organiser/")
    me.page.locator(f"a[href='{S}/organiser/programme/']").first.click()
    me.check()

    me.goto(f"{S}/organiser/programme/rooms/new/")
    me.screenshot("organiser-room-editor")
    room_slug = f"partners-{box}"
    me.page.fill(f"input[name=name_{box}]", typed["room"])
    me.page.fill("input[name=slug]", room_slug)
    me.page.select_option("select[name=kind]", "lounge")
    me.page.fill("input[name=capacity]", "40")
    me.page.locator("main form button[type=submit]").last.click()
    me.check()
    assert typed["room"] in me.page.inner_text("main")

    me.goto(f"{S}/organiser/programme/tracks/new/")
    track_slug = f"digital-health-{box}"
    me.page.fill(f"input[name=name_{box}]", typed["track"])
    me.page.fill("input[name=slug]", track_slug)
    me.page.locator("main form button[type=submit]").last.click()
    me.check()

    summit = me.api(f"/api/summits/{SLUG}/")
    day = dt.date.fromisoformat(summit["ends_on"])
    me.goto(f"{S}/organiser/programme/sessions/new/")
    me.page.fill(f"input[name=title_{box}]", typed["session"])
    me.page.select_option("select[name=room]", room_slug)
    me.page.select_option("select[name=track]", track_slug)
    me.page.fill("input[name=starts_at]", f"{day.isoformat()}T08:00")
    me.page.fill("input[name=ends_at]", f"{day.isoformat()}T08:30")
    me.page.select_option("main select[name=language]", language)
    me.page.locator("main form button[type=submit]").last.click()
    me.check()
    created = [s for s in schedule(me) if s["room"] == room_slug]
    assert [dt.datetime.fromisoformat(s["starts_at"]).astimezone(PARIS).hour for s in created] == [8]
    assert created[0]["title"] == typed["session"]

    me.goto(f"{S}/reports/attendance/")
    me.screenshot("organiser-report")
    me.close()
