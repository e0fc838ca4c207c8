"""The demo organiser builds part of a day from the editor, in French, in real Chromium against real Daphne;
an attendee in Qingdao reads each change on her schedule, in Chinese and in her own time."""

import datetime as dt
import re
import zoneinfo

import pytest

from tests.servers import demo_server, launch_chromium

pytestmark = [pytest.mark.browser, pytest.mark.multiprocess]

SLUG = "sophia-qingdao-ai-ict-roadshow"
EDITOR = f"/summits/{SLUG}/organiser/programme/"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
LI_NA = "li.na@example.cn"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with demo_server(tmp_path_factory.mktemp("editor"), ["organiser", LI_NA], label="editor") as server:
        yield server


@pytest.fixture(scope="module")
def browser(demo):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def person(browser, demo, username):
    context = browser.new_context(base_url=demo["url"])
    context.add_cookies([{"name": "sessionid", "value": demo["cookies"][username], "url": demo["url"]}])
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            page.problems.append(f"console: {message.text}")
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            page.problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and response.status != 422
            else None
        ),
    )
    return page


def shanghai_clock(day, hhmm):
    hour, minute = map(int, hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS).astimezone(SHANGHAI).strftime("%H:%M")


def test_organiser_edits_the_programme_in_french_and_an_attendee_in_qingdao_sees_each_change(browser, demo):
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    day = dt.datetime.now(PARIS).date() + dt.timedelta(days=2)  # the demo's third day, free in the afternoon
    claire, lina = person(browser, demo, "organiser"), person(browser, demo, LI_NA)

    def lina_sees(clock, cancelled):
        lina.goto(f"/summits/{SLUG}/schedule/")
        slot = lina.locator("li.slot").filter(has_text="机器人圆桌")
        expect(slot).to_have_count(1)
        expect(slot.locator(".time")).to_contain_text(clock)
        if cancelled:
            expect(slot).to_have_class(re.compile(r"\bcancelled\b"))
        else:
            expect(slot).not_to_have_class(re.compile(r"\bcancelled\b"))

    # Create, with the Shanghai time shown beside the Paris one as it is typed.
    claire.goto(EDITOR + "sessions/new/")
    expect(claire.locator("html")).to_have_attribute("lang", "fr")
    claire.fill("#id_title_en", "Robotics round table")
    claire.fill("#id_title_fr", "Table ronde robotique")
    claire.fill("#id_title_zh_hans", "机器人圆桌")
    claire.select_option("#id_room", "main-stage")
    claire.fill("#id_starts_at", f"{day.isoformat()}T14:00")
    claire.fill("#id_ends_at", f"{day.isoformat()}T14:45")
    expect(claire.locator('output[for="id_starts_at"]')).to_contain_text(shanghai_clock(day, "14:00"))
    claire.get_by_role("button", name="Ajouter la session").click()
    expect(claire.locator(".messages")).to_contain_text("« Table ronde robotique » est au programme.")
    lina_sees(shanghai_clock(day, "14:00"), cancelled=False)

    # An overlap is refused on the form, in French, and nothing moves.
    claire.fill("#id_starts_at", f"{day.isoformat()}T09:30")
    claire.fill("#id_ends_at", f"{day.isoformat()}T10:15")
    claire.get_by_role("button", name="Enregistrer la session").click()
    expect(claire.locator("#form-errors")).to_contain_text("a déjà lieu dans")
    expect(claire.locator("#id_title_fr")).to_have_value("Table ronde robotique")
    lina_sees(shanghai_clock(day, "14:00"), cancelled=False)

    # Move.
    claire.fill("#id_starts_at", f"{day.isoformat()}T15:00")
    claire.fill("#id_ends_at", f"{day.isoformat()}T15:45")
    claire.get_by_role("button", name="Enregistrer la session").click()
    expect(claire.locator(".messages")).to_contain_text("les participants voient le changement")
    lina_sees(shanghai_clock(day, "15:00"), cancelled=False)

    # Cancel, then restore.
    claire.get_by_role("button", name="Annuler la session").click()
    expect(claire.locator(".session-status")).to_have_text("Annulée")
    lina_sees(shanghai_clock(day, "15:00"), cancelled=True)
    claire.get_by_role("button", name="Rétablir la session").click()
    expect(claire.locator(".session-status")).to_have_text("Publiée")
    lina_sees(shanghai_clock(day, "15:00"), cancelled=False)

    # The day's run sheet prints without the site's header and menus.
    claire.goto(EDITOR + f"run-sheet/{day.isoformat()}/")
    claire.emulate_media(media="print")
    expect(claire.locator("table.run-sheet")).to_contain_text("Table ronde robotique")
    expect(claire.locator("header.site")).to_be_hidden()
    expect(claire.locator("nav.editor-nav")).to_be_hidden()

    # The schedule API tells the same story, in her zone.
    schedule = lina.request.get(f"/api/summits/{SLUG}/schedule/?tz=Asia/Shanghai").json()
    [session] = [s for s in schedule["sessions"] if s["title"] == "机器人圆桌"]
    assert session["status"] == "published"
    assert session["local"]["starts_at"][11:16] == shanghai_clock(day, "15:00")
    assert claire.problems == [] and lina.problems == []


def test_try_it_out_in_the_api_docs_works_for_a_signed_in_organiser(browser, demo):
    """Swagger UI runs from our own assets under the CSP and sends the CSRF token Django asks for."""
    import json

    from playwright.sync_api import expect

    day = dt.datetime.now(PARIS).date() + dt.timedelta(days=2)
    claire = person(browser, demo, "organiser")
    claire.goto("/api/docs")
    operation = claire.locator("#operations-organisers-events_api_create_session")
    operation.locator(".opblock-summary").click()
    operation.locator(".try-out__btn").click()
    operation.locator('input[placeholder="slug"]').fill(SLUG)
    operation.locator("textarea.body-param__text").fill(
        json.dumps(
            {
                "title": "Tried out in the docs",
                "room": "lounge",
                "starts_at": f"{day.isoformat()}T20:00:00+01:00",
                "ends_at": f"{day.isoformat()}T20:30:00+01:00",
            }
        )
    )
    operation.locator("button.execute").click()
    expect(operation.locator(".live-responses-table tbody .response-col_status")).to_have_text("201", timeout=15_000)
    assert claire.problems == []
