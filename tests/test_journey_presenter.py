"""The presenting company's journey, in Chromium, in French and in Chinese: backstage, then on air.

Julien of Fair Vision signs in half an hour before his pitch, opens Go live from the room, reads the
key the page tells him to use, and streams (ffmpeg as his encoder). He sees his preview; an attendee
in the room still sees it offline, page and stage endpoint alike. The organiser puts the stream on
air, and the attendee sees it live without reloading. Every page fails the test on a console error,
and on any sentence of the English catalogue shown untranslated.
"""

import gettext
import json
from pathlib import Path

import pytest

from tests.conftest import session_cookie
from tests.servers import launch_chromium, publish_test_pattern, require_chromium
from tests.stage_stack import INGEST, ROOM

pytestmark = [pytest.mark.browser, pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
CATALOGUES = {"fr": "fr", "zh-hans": "zh_Hans"}
PLAYING = "(id) => document.getElementById(id)?.currentTime > 1"


def english_sentences(language):
    """The catalogue's English sentences that have a translation: none of them may show on the page.

    Only whole sentences (a space, no placeholder, 12 characters or more), so a product name or a
    word that reads the same in both languages is not mistaken for an untranslated string.
    """
    with open(LOCALE_DIR / CATALOGUES[language] / "LC_MESSAGES" / "django.mo", "rb") as mo:
        catalogue = gettext.GNUTranslations(mo)._catalog
    return {
        msgid
        for msgid, msgstr in catalogue.items()
        if isinstance(msgid, str)
        and len(msgid) >= 12
        and " " in msgid
        and "%" not in msgid
        and "{" not in msgid
        and msgstr != msgid
    }


class Watched:
    """A page of one person, in their language, whose console errors and English leftovers are collected."""

    def __init__(self, browser, base, person, language, problems, sentences):
        name, cookie = person
        self.context = browser.new_context(locale=language)
        self.context.add_cookies([{"name": "sessionid", "value": cookie, "url": base}])
        self.page = self.context.new_page()
        self.name, self.problems, self.sentences = name, problems, sentences
        self.page.on("pageerror", lambda error: problems.append(f"{self.name}: page error: {error}"))
        # A live playlist asked for before its first segment is a 404 the player retries; nothing else is.
        self.page.on(
            "console",
            lambda m: (
                m.type == "error"
                and not m.text.startswith("Failed to load resource")
                and problems.append(f"{self.name}: console: {m.text}")
            ),
        )

    def check_translated(self, language):
        assert self.page.locator("html").get_attribute("lang") == language
        text = self.page.locator("body").inner_text()
        left = sorted(sentence for sentence in self.sentences if sentence in text)
        assert left == [], f"{self.name} sees English on a {language} page: {left}"

    def stage_status(self):
        return self.page.evaluate("(url) => fetch(url).then((r) => r.json())", f"/api{ROOM}stage/")["status"]


def set_language(user, language, zone):
    from events.services import profile_for

    profile = profile_for(user)
    profile.language, profile.timezone = language, zone
    profile.save()


@pytest.mark.parametrize(
    "language,zone,viewer",
    [("fr", "Europe/Paris", "attendee_paris"), ("zh-hans", "Asia/Shanghai", "attendee_shanghai")],
)
def test_presenter_streams_backstage_then_the_organiser_puts_it_on_air_and_the_attendee_sees_it(
    media_stack, presenter, organiser, coming_pitch, request, language, zone, viewer
):
    from playwright.sync_api import expect, sync_playwright

    require_chromium()
    attendee = request.getfixturevalue(viewer)
    for person in (presenter, organiser, attendee):
        set_language(person, language, zone)
    stack = media_stack
    stack.start()
    sentences = english_sentences(language)
    problems = []
    # Signed in before the browser starts: Playwright's loop in this thread forbids the ORM afterwards.
    presenter, organiser, attendee = ((p.username, session_cookie(p)) for p in (presenter, organiser, attendee))
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            expect.set_options(timeout=30_000)
            julien = Watched(browser, stack.web, presenter, language, problems, sentences)
            audience = Watched(browser, stack.web, attendee, language, problems, sentences)

            # Julien, half an hour before his pitch, goes from the room to Go live.
            julien.page.goto(f"{stack.web}{ROOM}")
            julien.check_translated(language)
            julien.page.locator(".go-live-link a").click()
            expect(julien.page.locator("#go-live")).to_have_attribute("data-status", "offline")
            julien.check_translated(language)
            key = julien.page.locator("#key-original").text_content()
            ingest = julien.page.evaluate("(url) => fetch(url).then((r) => r.json())", INGEST)
            original = next(k for k in ingest["keys"] if k["language"] == "original")
            assert key == original["stream_key"]
            # The page says which key is his, in his language (the API's `use`, which is translated).
            expect(julien.page.locator(".key-use").first).to_have_text(original["use"])
            assert "Original:" not in original["use"]

            # He streams: his preview plays backstage, the attendee's room stays offline.
            audience.page.goto(f"{stack.web}{ROOM}")
            expect(audience.page.locator("#room")).to_have_attribute("data-connection", "live")
            publish = publish_test_pattern(
                f"rtmp://127.0.0.1:{stack.rtmp_port}/live/{key}", stack.tmp / "ffmpeg-journey.log", seconds=180
            )
            stack.processes.append(publish)
            expect(julien.page.locator("#go-live")).to_have_attribute("data-status", "backstage")
            julien.page.wait_for_function(PLAYING, arg="go-live-preview", timeout=45_000)
            julien.check_translated(language)
            expect(audience.page.locator("#stage")).to_have_attribute("data-status", "offline")
            expect(audience.page.locator("#stage-offline")).to_be_visible()
            assert audience.stage_status() == "offline"
            audience.check_translated(language)

            # The organiser puts it on air from her Go live page.
            claire = Watched(browser, stack.web, organiser, language, problems, sentences)
            claire.page.goto(f"{stack.web}{ROOM}go-live/")
            expect(claire.page.locator("#go-live")).to_have_attribute("data-status", "backstage")
            claire.check_translated(language)
            claire.page.locator("#put-on-air").click()
            expect(claire.page.locator("#go-live")).to_have_attribute("data-status", "on_air")
            claire.check_translated(language)

            # The attendee sees it live, without reloading; page and stage endpoint agree.
            expect(audience.page.locator("#stage")).to_have_attribute("data-status", "live")
            audience.page.wait_for_function(PLAYING, arg="stage-video", timeout=45_000)
            assert audience.stage_status() == "live"
            audience.check_translated(language)
            expect(julien.page.locator("#go-live")).to_have_attribute("data-status", "on_air")
            julien.check_translated(language)
            assert problems == [], json.dumps(problems, ensure_ascii=False)
        finally:
            browser.close()
