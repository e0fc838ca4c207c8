"""The live stage in Chromium: an attendee watches in their language, switches channel, sees the stream end,
then plays the replay (the real media server, Daphne and worker of tests/stage_stack.py)."""

from urllib.parse import urlsplit

import pytest

from tests.conftest import session_cookie
from tests.servers import (
    launch_chromium,
    require_chromium,
    stop,
)
from tests.stage_stack import (
    OFFLINE_WITHIN,
    REPLAY_WITHIN,
    ROOM,
    ingest_keys,
)

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]


# --- in the browser ------------------------------------------------------------------------------------


@pytest.mark.browser
def test_attendee_watches_in_their_language_switches_channel_sees_it_end_then_plays_the_replay_in_chromium(
    media_stack, presenter, attendee_paris, live_pitch
):
    from playwright.sync_api import expect, sync_playwright

    require_chromium()
    stack = media_stack
    keys = ingest_keys(presenter)  # the channels first: the media server serves those it names
    stack.start()
    cookie = session_cookie(attendee_paris)
    presenter_cookie = session_cookie(presenter)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            context = browser.new_context()
            context.add_cookies([{"name": "sessionid", "value": cookie, "url": stack.web}])
            page = context.new_page()
            problems, origins, policies = [], set(), []
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            # A live playlist asked for before its first segment is a 404 the player retries; anything else
            # (a script error, a CSP or CORS refusal) is a problem.
            page.on(
                "console",
                lambda m: (
                    m.type == "error"
                    and not m.text.startswith("Failed to load resource")
                    and problems.append(f"console: {m.text}")
                ),
            )
            page.on("request", lambda request: origins.add("{0.scheme}://{0.netloc}".format(urlsplit(request.url))))
            page.on(
                "response",
                lambda r: (
                    r.request.resource_type == "document"
                    and policies.append(r.headers.get("content-security-policy", ""))
                ),
            )
            expect.set_options(timeout=30_000)

            page.goto(f"{stack.web}{ROOM}")
            expect(page.locator("#room")).to_have_attribute("data-connection", "live")
            expect(page.locator("#stage-offline")).to_be_visible()

            # Julien, the presenter, waits on his Go live page, which follows the stream as it starts.
            backstage = browser.new_context()
            backstage.add_cookies([{"name": "sessionid", "value": presenter_cookie, "url": stack.web}])
            go_live = backstage.new_page()
            go_live.on("pageerror", lambda error: problems.append(f"go live page error: {error}"))
            go_live.on("request", lambda request: origins.add("{0.scheme}://{0.netloc}".format(urlsplit(request.url))))
            go_live.goto(f"{stack.web}{ROOM}go-live/")
            expect(go_live.locator("#go-live")).to_have_attribute("data-status", "offline")
            assert go_live.locator("#key-original").text_content() == keys["original"]

            playing = "() => document.getElementById('stage-video').currentTime > 2"
            original = stack.publish(keys["original"], "browser", seconds=120)
            expect(page.locator("#stage")).to_have_attribute("data-status", "live")
            expect(page.locator("#stage")).to_have_attribute("data-channel", "original")
            page.wait_for_function(playing, timeout=30_000)
            expect(go_live.locator("#go-live")).to_have_attribute("data-status", "on_air")
            go_live.wait_for_function(
                "() => document.getElementById('go-live-preview').currentTime > 1", timeout=30_000
            )
            backstage.close()

            # The French interpreter comes on: Camille, who reads French, is moved to that channel...
            french = stack.publish(keys["fr"], "browser-fr", seconds=120, audio_only=True)
            expect(page.locator("#stage")).to_have_attribute("data-channel", "fr")
            page.wait_for_function(playing, timeout=30_000)
            # ... picks the original instead, and the page remembers it after a reload.
            page.locator('#stage-channels button[data-language="original"]').click()
            expect(page.locator("#stage")).to_have_attribute("data-channel", "original")
            page.reload()
            expect(page.locator("#stage")).to_have_attribute("data-channel", "original")
            expect(page.locator('#stage-channels button[data-language="original"]')).to_have_attribute(
                "aria-pressed", "true"
            )
            page.wait_for_function(playing, timeout=30_000)

            stop(original)
            stop(french)
            expect(page.locator("#stage")).to_have_attribute("data-status", "offline", timeout=OFFLINE_WITHIN * 1000)
            expect(page.locator("#stage-offline")).to_be_visible()
            replays = page.locator("#stage-replays a.replay")
            expect(replays).to_have_count(2, timeout=REPLAY_WITHIN * 1000)
            replays.first.click()
            page.wait_for_function("() => document.getElementById('replay-video')?.currentTime > 1", timeout=30_000)

            assert problems == [], problems
            assert origins == {stack.web, stack.media_origin}, origins
            for policy in policies:
                directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
                assert directives["media-src"] == ["'self'", "blob:", stack.media_origin], policy
                assert directives["connect-src"] == ["'self'", stack.media_origin], policy
        finally:
            browser.close()
