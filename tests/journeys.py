"""The journey tests' harness: a person's browser that fails on what a person would notice.

A journey (tests/test_journeys_browser.py) follows one role from sign-in to outcome in French and in
Chinese. Three checks make it a proof rather than a click-through:

- `Journey` is a browser context whose page fails the test on any console error, uncaught page
  error or 4xx/5xx response (`journey.problems`, checked by `journey.check()` and on `close()`);
- `journey.check()` also fails when the visible text of the page holds a string of the English
  catalogue (a msgid that locale/<lang> translates) untranslated (`untranslated_english`);
- `journey.figure(selector)` and `journey.api(path)` read a number off the page and what the API
  says, so a journey asserts that the page and the API agree (`assert_same_figure`).

To add a role's journey: build a `Journey(browser, server_url, language)` (cookies, time zone and
screen size are its arguments), `goto()` each page (it checks each), act with `journey.page`
(Playwright), `check()` after each step that changes the page, and `close()` at the end.
"""

import functools
import re
from pathlib import Path

from tests.test_i18n import read_po

ROOT = Path(__file__).resolve().parent.parent
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
BROWSER_LOCALES = {"fr": "fr-FR", "zh-hans": "zh-CN", "en": "en-GB"}
PLACEHOLDER_OR_TAG = re.compile(r"%\(\w+\)[sdif]|%[sdif]|<[^>]+>|\{\{[^}]*\}\}")
LETTERS = re.compile(r"[A-Za-z]{4,}")


@functools.cache
def english_catalogue(language):
    """The English strings locale/<language> translates (to something else), as literal fragments.

    A msgid with placeholders is split around them; fragments too short to mean anything on their own
    ("OK", "min") are left out, since they also occur inside names and other text.
    """
    locale = {"fr": "fr", "zh-hans": "zh_Hans"}[language]
    fragments = set()
    for entry in read_po(ROOT / "locale" / locale / "LC_MESSAGES" / "django.po"):
        msgid, translated = entry["msgid"], [text for text in entry["msgstr"] if text]
        if not msgid or not translated or "fuzzy" in entry["flags"] or translated[0] == msgid:
            continue
        for fragment in PLACEHOLDER_OR_TAG.split(msgid):
            fragment = fragment.strip(" .,:;!?()·…“”\"'\n")
            if LETTERS.search(fragment) and fragment not in translated[0]:
                fragments.add(fragment)
    return tuple(sorted(fragments, key=len, reverse=True))


@functools.cache
def _english_pattern(language):
    words = "|".join(re.escape(fragment) for fragment in english_catalogue(language))
    # Latin letters around a match mean it is part of a longer word; CJK characters do not.
    return re.compile(rf"(?<![A-Za-z])(?:{words})(?![A-Za-z])")


def untranslated_english(text, language, allowed=()):
    """The catalogue's English strings found in `text` (a page's visible text), minus `allowed`."""
    found = set(_english_pattern(language).findall(text))
    return sorted(found - set(allowed))


class Journey:
    """One person's browser, in `language`, `timezone_id`, at `viewport`, signed in by `cookies` if given."""

    def __init__(self, browser, base_url, language, *, timezone_id="Europe/Paris", viewport=DESKTOP, cookies=()):
        self.base_url, self.language = base_url, language
        self.context = browser.new_context(
            base_url=base_url,
            locale=BROWSER_LOCALES[language],
            timezone_id=timezone_id,
            viewport=viewport,
            extra_http_headers={"Accept-Language": BROWSER_LOCALES[language]},
        )
        self.context.add_cookies([{"name": name, "value": value, "url": base_url} for name, value in cookies])
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.problems = []
        # The language switcher names each language in itself: "English" is right on every page.
        self.allowed_english = {"English"}
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("console", self._console)
        self.page.on("response", self._response)

    def _console(self, message):
        if message.type == "error":
            self.problems.append(f"console error on {self.page.url}: {message.text}")

    def _response(self, response):
        if response.status >= 400:
            self.problems.append(f"{response.status} for {response.request.method} {response.url}")

    def goto(self, path):
        response = self.page.goto(path)
        assert response is not None and response.status < 400, f"{path}: {response and response.status}"
        self.check()
        return response

    def check(self, *, allowed=()):
        """No error so far, and no English of the catalogue in what the page shows now."""
        self.page.wait_for_load_state("load")
        if self.problems:
            said = self.page.locator(".errorlist, .messages, [role=alert]:visible").all_inner_texts()
            raise AssertionError("\n".join(self.problems + [f"the page says: {said}"]))
        text = self.page.inner_text("body")
        english = untranslated_english(text, self.language, self.allowed_english | set(allowed))
        assert english == [], f"English on the {self.language} page {self.page.url}: {english}"

    def api(self, path):
        """The API's answer to this person (their cookies, their language)."""
        response = self.context.request.get(path, headers={"Accept-Language": BROWSER_LOCALES[self.language]})
        assert response.ok, f"{path}: {response.status} {response.text()[:300]}"
        return response.json()

    def figure(self, selector):
        """The number shown by `selector` (0 when it is hidden, as an empty badge is)."""
        locator = self.page.locator(selector)
        if not locator.is_visible():
            return 0
        return int(re.sub(r"\D", "", locator.inner_text()) or 0)

    def assert_same_figure(self, selector, api_path, count):
        """The page's figure at `selector` equals `count(answer)` of the API at `api_path`."""
        shown, answered = self.figure(selector), count(self.api(api_path))
        assert shown == answered, f"{selector} shows {shown}, {api_path} says {answered}"

    def screenshot(self, name):
        """For a person to look at: var/journeys/<name>-<language>.png (ignored by git)."""
        folder = ROOT / "var" / "journeys"
        folder.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(folder / f"{name}-{self.language}.png"), full_page=False)

    def close(self):
        problems = list(self.problems)
        self.context.close()
        assert problems == [], "\n".join(problems)
