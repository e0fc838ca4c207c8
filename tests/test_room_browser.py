"""The room page in real headless Chromium against a real Daphne serving summit.asgi.

Daphne runs as a subprocess over its own database (a fresh PostgreSQL database beside
DATABASE_URL's, else a SQLite file), with the channel layer of the environment (Redis when
REDIS_URL is set). People and their session cookies are written into that database by a
subprocess before the browser signs in with the cookies.
"""

import json
import os
import re
import secrets
import subprocess
import sys

import pytest

from tests.servers import ROOT, free_port, launch_chromium, require_chromium, server_database, start_daphne, stop

pytestmark = [pytest.mark.browser, pytest.mark.multiprocess]

QUESTION = "Will the pitch deck be shared after the session?"

# Run inside the server's database: the summit, a session live now, three people and their sessions.
SETUP_SCRIPT = """
import datetime as dt, json, django
django.setup()
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.utils import timezone
from events.models import Profile, Registration, Room, Session, Summit

now = timezone.now()
summit = Summit.objects.create(slug="roadshow", name="Innovation Roadshow", languages=["en", "fr", "zh-hans"],
                               starts_on=now.date(), ends_on=now.date())
stage = Room.objects.create(summit=summit, slug="main-stage", name="Main stage", kind=Room.Kind.STAGE)
Session.objects.create(summit=summit, room=stage, title="Live keynote", starts_at=now - dt.timedelta(minutes=10),
                       ends_at=now + dt.timedelta(hours=2))
Room.objects.create(summit=summit, slug="fair-vision", name="Fair Vision pitch", kind=Room.Kind.PITCH,
                    is_moderated=True)
Room.objects.create(summit=summit, slug="epicnpoc", name="Epicnpoc pitch", kind=Room.Kind.PITCH)
store = import_module(settings.SESSION_ENGINE).SessionStore
cookies = {}
for username, name, role, tz, language in [
    ("camille", "Camille Bernard", "attendee", "Europe/Paris", "en"),
    ("lina", "Li Na", "attendee", "Asia/Shanghai", "zh-hans"),
    ("claire", "Claire Dumas", "organiser", "Europe/Paris", "fr"),
    ("amelie", "Amélie Laurent", "attendee", "Europe/Paris", "fr"),
]:
    user = get_user_model().objects.create_user(username=username, email=f"{username}@example.org")
    Profile.objects.create(user=user, name=name, timezone=tz, language=language)
    Registration.objects.create(summit=summit, user=user, role=role)
    session = store()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    cookies[username] = {"sessionid": session.session_key, "tz": tz}
print(json.dumps(cookies))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    tmp = tmp_path_factory.mktemp("room-browser")
    database_url, drop_database = server_database(tmp)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "summit.settings",
        "DATABASE_URL": database_url,
        "VAR_DIR": str(tmp / "var"),
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DEBUG": "0",
        "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "REDIS_KEY_PREFIX": f"browser-{secrets.token_hex(4)}",
        "CACHE_KEY_PREFIX": f"browser-{secrets.token_hex(4)}",
    }
    people = json.loads(
        subprocess.run(
            [sys.executable, "-c", SETUP_SCRIPT], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        ).stdout
    )
    port = free_port()
    log = tmp / "daphne.log"
    try:
        process = start_daphne(port, env, log, ready_path="/")
        try:
            yield {"url": f"http://127.0.0.1:{port}", "people": people, "log": log}
        finally:
            stop(process)
    finally:
        drop_database()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


class Person:
    """One person's browser: their own context (cookies), the room page, and what went wrong in it."""

    def __init__(self, browser, server, username):
        self.context = browser.new_context()
        person = server["people"][username]
        self.context.add_cookies(
            [
                {"name": "sessionid", "value": person["sessionid"], "url": server["url"]},
                {"name": "summit_tz", "value": person["tz"], "url": server["url"]},
            ]
        )
        self.page = self.context.new_page()
        self.dialogs = []
        self.problems = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("console", self._console)
        self.page.on("response", self._response)
        self.server_url = server["url"]

    accept_dialogs = False

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        if self.accept_dialogs:
            dialog.accept()
        else:
            dialog.dismiss()

    def _console(self, message):
        # Failed loads are reported with their address by _response; a CSP refusal lands here.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console: {message.text}")

    def _response(self, response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.problems.append(f"{response.status} for {response.url}")

    def open(self, room="main-stage"):
        from playwright.sync_api import expect

        self.page.goto(f"{self.server_url}/summits/roadshow/rooms/{room}/")
        expect(self.page.locator("#room")).to_have_attribute("data-connection", "live")
        return self

    def chat(self, text):
        self.page.fill("#chat-body", text)
        self.page.press("#chat-body", "Enter")

    def ask(self, text):
        self.page.fill("#question-body", text)
        self.page.click("#question-form button[type=submit]")

    def chat_bodies(self, text):
        return self.page.locator("#chat-log li:not(.sending) .body").filter(has_text=re.compile(f"^{re.escape(text)}$"))

    def question(self, text):
        return self.page.locator("#questions .question").filter(has_text=text)

    def close(self):
        self.context.close()


@pytest.fixture
def people(browser, server):
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    opened = []

    def open_as(username, room="main-stage"):
        person = Person(browser, server, username)
        opened.append(person)
        return person.open(room)

    yield open_as
    for person in opened:
        person.close()


def test_two_attendees_and_an_organiser_share_chat_questions_votes_and_answers(people, server):
    from playwright.sync_api import expect

    camille, lina, claire = people("camille"), people("lina"), people("claire")

    camille.ask(QUESTION)
    camille.chat("Hello from Paris")

    expect(lina.chat_bodies("Hello from Paris")).to_have_count(1)
    expect(lina.question(QUESTION)).to_be_visible()
    expect(camille.chat_bodies("Hello from Paris")).to_have_count(1)
    expect(camille.page.locator("#chat-log li.sending")).to_have_count(0)

    # Voting by keyboard: the redrawn list gives focus back to the button.
    lina.question(QUESTION).locator("button.vote").focus()
    lina.page.keyboard.press("Space")
    expect(lina.question(QUESTION).locator(".votes")).to_have_text("1")
    expect(lina.question(QUESTION).locator("button.vote")).to_have_attribute("aria-pressed", "true")
    expect(lina.question(QUESTION).locator("button.vote")).to_be_focused()
    expect(camille.question(QUESTION).locator(".votes")).to_have_text("1")
    expect(camille.question(QUESTION).locator("button.vote")).to_have_attribute("aria-pressed", "false")

    # Attendees get no moderation controls; the organiser does, and marks the question answered.
    expect(camille.page.locator("#questions .moderation")).to_have_count(0)
    expect(lina.page.locator("#questions .moderation")).to_have_count(0)
    claire.question(QUESTION).locator("button[data-action=answer]").click()
    for person in (camille, lina, claire):
        expect(person.question(QUESTION)).to_have_class(re.compile(r"\bstatus-answered\b"))

    # Presence counts everyone in the room.
    expect(camille.page.locator("#room-presence")).to_contain_text("3")

    for person in (camille, lina, claire):
        assert person.problems == [], person.problems


def test_script_injection_in_chat_shows_as_plain_text(people):
    from playwright.sync_api import expect

    camille, lina = people("camille"), people("lina")
    attacks = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>"]
    for attack in attacks:
        camille.chat(attack)
    camille.ask("<img src=x onerror=alert(3)> is this safe?")

    for person in (camille, lina):
        for attack in attacks:
            expect(person.chat_bodies(attack)).to_have_count(1)
        expect(person.question("<img src=x onerror=alert(3)> is this safe?")).to_be_visible()
        injected = person.page.locator("#chat-log img, #chat-log script, #questions img, #questions script")
        expect(injected).to_have_count(0)
    lina.page.wait_for_timeout(500)  # time for an injected handler to fire, were there one
    assert camille.dialogs == [] and lina.dialogs == []


def test_page_shows_reconnecting_then_catches_up_on_what_it_missed(people):
    from playwright.sync_api import expect

    camille, lina = people("camille"), people("lina")
    camille.chat("Before the drop")
    expect(lina.chat_bodies("Before the drop")).to_have_count(1)
    expect(camille.chat_bodies("Before the drop")).to_have_count(1)

    last_seen = max(
        int(seq)
        for seq in camille.page.locator("#chat-log li[data-seq]").evaluate_all(
            "items => items.map((item) => item.dataset.seq)"
        )
    )
    sockets = []
    camille.page.on("websocket", lambda ws: sockets.append(ws.url))

    camille.context.set_offline(True)
    expect(camille.page.locator("#room")).to_have_attribute("data-connection", "reconnecting")
    expect(camille.page.locator("#room-status-text")).to_have_text("Reconnecting…")
    lina.chat("Sent while Camille was away")
    lina.ask("Asked while Camille was away")
    camille.chat("Typed while offline")
    expect(camille.page.locator("#chat-log li.sending")).to_have_count(1)

    camille.context.set_offline(False)
    expect(camille.page.locator("#room")).to_have_attribute("data-connection", "live")
    expect(camille.chat_bodies("Sent while Camille was away")).to_have_count(1)
    expect(camille.question("Asked while Camille was away")).to_be_visible()
    expect(lina.chat_bodies("Typed while offline")).to_have_count(1)
    expect(camille.chat_bodies("Typed while offline")).to_have_count(1)
    expect(camille.page.locator("#chat-log li.sending")).to_have_count(0)
    expect(camille.chat_bodies("Before the drop")).to_have_count(1)
    # It asked to resume after the last event it had seen, not for a fresh start.
    assert sockets and sockets[-1].endswith(f"?since={last_seen}"), sockets


class Line:
    """Camille's socket as a line the test controls: it can lose frames on the way back, or be cut."""

    def __init__(self):
        self.cut = False
        self.lose_chat_echoes = False
        self.sockets = []
        self.sent = []

    def route(self, ws):
        if self.cut:
            ws.close(code=1011, reason="line cut")
            return
        server = ws.connect_to_server()

        def up(message):
            self.sent.append(json.loads(message))
            server.send(message)

        def down(message):
            if self.lose_chat_echoes and '"chat.message"' in message:
                return
            ws.send(message)

        ws.on_message(up)
        server.on_message(down)
        self.sockets.append(ws)

    def cut_now(self):
        self.cut = True
        for ws in self.sockets:
            ws.close(code=1011, reason="line cut")
        self.sockets.clear()


def test_page_resends_what_was_not_acknowledged_after_the_line_is_cut(people, browser, server):
    """No `offline` event here: the echo of a stored message is lost, the socket closes, and the first
    attempts to come back fail. The page resends with the same client_id; nobody sees it twice."""
    from playwright.sync_api import expect

    line = Line()
    lina = people("lina")
    camille = Person(browser, server, "camille")
    try:
        camille.page.route_web_socket(re.compile(r".*/ws/summits/.*"), line.route)
        camille.open()
        line.lose_chat_echoes = True
        camille.chat("Was this one stored?")
        expect(lina.chat_bodies("Was this one stored?")).to_have_count(1)
        expect(camille.page.locator("#chat-log li.sending")).to_have_count(1)

        line.cut_now()
        expect(camille.page.locator("#room")).to_have_attribute("data-connection", "reconnecting")
        lina.chat("Sent during the cut")
        camille.page.wait_for_timeout(1500)  # reconnect attempts are refused meanwhile
        line.lose_chat_echoes = False
        line.cut = False

        expect(camille.page.locator("#room")).to_have_attribute("data-connection", "live")
        expect(camille.chat_bodies("Sent during the cut")).to_have_count(1)
        expect(camille.chat_bodies("Was this one stored?")).to_have_count(1)
        expect(camille.page.locator("#chat-log li.sending")).to_have_count(0)
        sends = [frame for frame in line.sent if frame.get("body") == "Was this one stored?"]
        assert len(sends) == 2 and sends[0]["client_id"] == sends[1]["client_id"], sends
        lina.page.wait_for_timeout(500)  # a duplicate would have been broadcast by now
        expect(lina.chat_bodies("Was this one stored?")).to_have_count(1)
    finally:
        camille.close()


def test_chat_follows_new_messages_unless_the_reader_scrolled_up(people):
    from playwright.sync_api import expect

    camille = people("camille")
    lina = people("lina")
    lina.page.set_viewport_size({"width": 420, "height": 500})
    scroller = lina.page.locator("#chat-scroll")
    at_bottom = "el => el.scrollHeight - el.scrollTop - el.clientHeight < 48"

    for number in range(8):
        camille.chat(f"Filler message {number}")
    expect(lina.chat_bodies("Filler message 7")).to_have_count(1)
    assert scroller.evaluate("el => el.scrollHeight > el.clientHeight"), "the chat should overflow for this test"
    assert scroller.evaluate(at_bottom)

    scroller.evaluate("el => { el.scrollTop = 0; }")
    camille.chat("While Li Na reads back")
    expect(lina.chat_bodies("While Li Na reads back")).to_have_count(1)
    assert scroller.evaluate("el => el.scrollTop") == 0
    expect(lina.page.locator("#chat-jump")).to_be_visible()

    lina.page.locator("#chat-jump").click()
    assert scroller.evaluate(at_bottom)
    expect(lina.page.locator("#chat-jump")).to_be_hidden()
    camille.chat("Back in the flow")
    expect(lina.chat_bodies("Back in the flow")).to_have_count(1)
    lina.page.wait_for_function(f"() => ({at_bottom})(document.getElementById('chat-scroll'))")


def test_stream_and_chat_sit_side_by_side_on_wide_screens_and_stack_on_narrow(people):
    camille = people("camille")
    stage, chat = camille.page.locator(".room-stage"), camille.page.locator(".room-chat")

    camille.page.set_viewport_size({"width": 1280, "height": 800})
    stage_box, chat_box = stage.bounding_box(), chat.bounding_box()
    assert chat_box["x"] >= stage_box["x"] + stage_box["width"]
    assert abs(chat_box["y"] - stage_box["y"]) < 5

    camille.page.set_viewport_size({"width": 400, "height": 800})
    stage_box, chat_box = stage.bounding_box(), chat.bounding_box()
    # Stacked on a phone: the stage stays on top, the chat (a tab) under it (room.css, room-tabs.js).
    assert chat_box["y"] >= stage_box["y"] + stage_box["height"]


def test_moderated_room_holds_questions_until_a_moderator_approves_and_pins(people):
    from playwright.sync_api import expect

    camille, lina, claire = (people(name, room="fair-vision") for name in ("camille", "lina", "claire"))
    camille.ask("Which hospitals use it already?")
    camille.page.check("#question-anonymous")
    camille.ask("What does it cost?")

    mine = camille.question("Which hospitals use it already?")
    expect(mine).to_contain_text("Awaiting approval")
    # Each person reads the page in their own language: Claire in French, Li Na in Chinese.
    expect(claire.question("Which hospitals use it already?")).to_contain_text("En attente de validation")
    expect(claire.question("What does it cost?")).to_contain_text("Camille Bernard")  # staff see who asked
    expect(lina.page.locator("#questions .question")).to_have_count(0)

    claire.question("Which hospitals use it already?").locator("button[data-action=approve]").click()
    claire.question("What does it cost?").locator("button[data-action=approve]").click()
    expect(lina.question("Which hospitals use it already?")).to_be_visible()
    anonymous = lina.question("What does it cost?")
    expect(anonymous).to_contain_text("匿名")
    expect(anonymous).not_to_contain_text("Camille")
    expect(mine).not_to_contain_text("Awaiting approval")

    # Pinned goes first, whatever the votes.
    lina.question("Which hospitals use it already?").locator("button.vote").click()
    expect(lina.page.locator("#questions .question").first).to_contain_text("Which hospitals use it already?")
    claire.question("What does it cost?").locator("button[data-action=pin]").click()
    for person, pinned in ((camille, "Pinned"), (lina, "已置顶"), (claire, "Épinglée")):
        expect(person.page.locator("#questions .question").first).to_contain_text("What does it cost?")
        expect(person.page.locator("#questions .question").first).to_contain_text(pinned)


def test_reactions_are_counted_for_everyone_in_the_room(people):
    from playwright.sync_api import expect

    camille, lina = people("camille"), people("lina")
    clap = '.reaction[data-emoji="👏"] [data-count]'
    camille.page.click('.reaction[data-emoji="👏"]')
    expect(lina.page.locator(clap)).to_have_text("1")
    expect(camille.page.locator(clap)).to_have_text("1")
    lina.page.click('.reaction[data-emoji="👏"]')
    expect(camille.page.locator(clap)).to_have_text("2")


def test_page_stops_and_offers_sign_in_when_the_session_has_ended(people):
    from playwright.sync_api import expect

    lina = people("lina")
    lina.context.clear_cookies()
    lina.context.set_offline(True)
    expect(lina.page.locator("#room")).to_have_attribute("data-connection", "reconnecting")
    lina.context.set_offline(False)
    expect(lina.page.locator("#room")).to_have_attribute("data-connection", "signed_out")
    expect(lina.page.locator("#room-signin")).to_be_visible()
    expect(lina.page.locator("#chat-body")).to_be_disabled()


def test_an_organiser_mutes_an_author_and_deletes_the_message_for_everyone(people):
    from playwright.sync_api import expect

    # In a room of its own, so the mute (per room) outlives this test nowhere the others chat or ask.
    camille, lina, claire = (people(name, room="epicnpoc") for name in ("camille", "lina", "claire"))
    camille.chat("Cheap watches, click here")
    expect(lina.chat_bodies("Cheap watches, click here")).to_have_count(1)
    expect(camille.page.locator("#chat-log .moderation")).to_have_count(0)  # attendees get no controls
    expect(lina.page.locator("#chat-log .moderation")).to_have_count(0)

    spam = claire.page.locator("#chat-log li.message").filter(has_text="Cheap watches, click here")
    spam.get_by_role("button", name=re.compile("^Rendre muet")).click()  # Claire reads the page in French
    expect(camille.page.locator("#room-error")).to_contain_text("Muted in this room until")
    claire.accept_dialogs = True
    spam.get_by_role("button", name=re.compile("^Supprimer")).click()
    for person in (camille, lina, claire):
        expect(person.chat_bodies("Cheap watches, click here")).to_have_count(0)
    assert claire.dialogs == ["Supprimer ce message pour tout le monde\u202f?"]

    camille.chat("Let me speak")
    expect(camille.page.locator("#room-error")).to_contain_text("You are muted in this room for 15 more minutes.")
    expect(lina.chat_bodies("Let me speak")).to_have_count(0)


def test_attendee_votes_in_a_poll_and_everyone_sees_the_results_live(people):
    from playwright.sync_api import expect

    camille, lina, claire = people("camille"), people("lina"), people("claire")
    # Only those who run the room get the form to open a poll.
    expect(camille.page.locator("#poll-form")).to_be_hidden()
    expect(claire.page.locator("#poll-form")).to_be_visible()
    claire.page.fill("#poll-question", "Which market should Fair Vision enter first?")
    claire.page.fill("#poll-options", "Europe")
    claire.page.click("#poll-form button[type=submit]")
    # One option is refused: the reason is shown and what was typed stays.
    expect(claire.page.locator("#room-error")).to_be_visible()
    expect(claire.page.locator("#poll-question")).to_have_value("Which market should Fair Vision enter first?")
    claire.page.fill("#poll-options", "Europe\nChina\nBoth at once")
    claire.page.click("#poll-form button[type=submit]")

    poll = camille.page.locator("#polls .poll").filter(has_text="Which market should Fair Vision enter first?")
    expect(poll).to_be_visible()
    expect(claire.page.locator("#poll-question")).to_have_value("")
    poll.get_by_role("radio", name="China").check()
    poll.locator("button[type=submit]").click()
    expect(poll.locator(".poll-option").filter(has_text="China").locator(".badge.mine")).to_be_visible()
    expect(camille.page.locator("#polls-announce")).not_to_be_empty()

    for person in (camille, lina, claire):
        china = person.page.locator("#polls .poll-option").filter(has_text="China")
        expect(china.locator(".poll-count")).to_contain_text("1")
        expect(china.locator("meter")).to_have_attribute("value", "1")
        expect(person.page.locator("#polls .poll-voters")).to_contain_text("1")

    # The organiser closes it: everyone sees the final result and nobody can vote any more.
    claire.page.locator("#polls button[data-close-poll]").click()
    for person in (camille, lina):
        expect(person.page.locator("#polls .poll")).to_have_class(re.compile(r"\bclosed\b"))
        expect(person.page.locator("#polls .poll input")).to_have_count(0)
        expect(person.page.locator("#polls button[type=submit]")).to_have_count(0)
    for person in (camille, lina, claire):
        assert person.problems == [], person.problems


def test_a_poll_written_in_each_language_reads_in_each_persons_own(people):
    from playwright.sync_api import expect

    # In the pitch room, so that the stage's poll test sees only its own poll.
    camille, lina, amelie, claire = (
        people(name, room="fair-vision") for name in ("camille", "lina", "amelie", "claire")
    )
    english = "Where should Fair Vision open its next office?"
    french = "Où Fair Vision doit-elle ouvrir son prochain bureau ?"
    chinese = "Fair Vision 的下一个办公室应该设在哪里？"
    form = claire.page.locator("#poll-form")
    # One question and one list of options per language of the summit, each named in the page's language.
    expect(form.locator(".poll-language legend")).to_have_text(["Anglais", "Français", "Chinois simplifié"])
    claire.page.fill("#poll-question", english)
    claire.page.fill("#poll-options", "Shanghai\nQingdao\nSophia Antipolis")
    claire.page.fill("#poll-question-fr", french)
    claire.page.fill("#poll-options-fr", "Shanghai\nQingdao")
    claire.page.fill("#poll-question-zh-hans", chinese)
    claire.page.fill("#poll-options-zh-hans", "上海\n青岛\n索菲亚科技园")
    claire.page.click("#poll-form button[type=submit]")
    # French has fewer options than the first language: the browser says so and nothing is sent.
    assert claire.page.locator("#poll-options-fr").evaluate("field => field.validationMessage")
    claire.page.fill("#poll-options-fr", "Shanghai\nQingdao\nSophia Antipolis (France)")
    claire.page.click("#poll-form button[type=submit]")

    def the_poll(person, question):
        return person.page.locator("#polls .poll").filter(has_text=question)

    for person, question, option in [
        (camille, english, "Sophia Antipolis"),
        (amelie, french, "Sophia Antipolis (France)"),
        (claire, french, "Sophia Antipolis (France)"),
        (lina, chinese, "索菲亚科技园"),
    ]:
        expect(the_poll(person, question)).to_have_count(1)
        expect(the_poll(person, question).locator(".poll-label").nth(2)).to_have_text(option)
    expect(the_poll(camille, french)).to_have_count(0)  # one poll, read in one language each
    expect(claire.page.locator("#poll-question-fr")).to_have_value("")

    # A vote in Chinese counts for the same option everyone sees in their own words.
    the_poll(lina, chinese).get_by_role("radio", name="青岛").check()
    the_poll(lina, chinese).locator("button[type=submit]").click()
    qingdao = the_poll(amelie, french).locator(".poll-option").filter(has_text="Qingdao")
    expect(qingdao.locator(".poll-count")).to_contain_text("1")
    # Someone who comes in later reads it in their language too (room.state).
    late = people("lina", room="fair-vision")
    expect(the_poll(late, chinese)).to_have_count(1)
    for person in (camille, lina, amelie, claire, late):
        assert person.problems == [], person.problems
