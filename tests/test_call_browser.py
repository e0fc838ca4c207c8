"""Meeting calls in real browsers: Debian's Chromium with its fake camera and microphone, Daphne, and a real
coturn started here; `?ice=relay` makes every connection go through it."""

import pytest
from django.test import Client

from calls import services as calls
from events.models import Company, Registration
from tests.calls_helpers import STARTS_AT, TURN_SECRET, start_turnserver
from tests.conftest import make_person
from tests.partnering_helpers import make_summit
from tests.servers import CHROMIUM, CHROMIUM_ARGS, require_chromium, server_of_this_test, stop

pytestmark = [pytest.mark.browser, pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]

FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
CONNECT_MS = 60000  # the machine is shared: three browsers encoding and decoding video take their time


@pytest.fixture
def turn(tmp_path):
    process, port = start_turnserver(tmp_path, allow_loopback=True)
    yield port
    stop(process)


@pytest.fixture
def server(tmp_path, turn):
    with server_of_this_test(
        tmp_path,
        CELERY_TASK_ALWAYS_EAGER="1",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        TURN_PORT=str(turn),
        TURN_HOST="127.0.0.1",
        TURN_SECRET=TURN_SECRET,
    ) as url:
        yield url


def session_of(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def build_meeting(*, colleague_seated=True, teammates=()):
    """Fair Vision (Julien, his colleague Amélie, and any `teammates`) meets Li Na in Qingdao."""
    from partnering import services

    summit = make_summit("roadshow", STARTS_AT.date(), STARTS_AT.date())
    people = {}
    for username, name, language in (
        ("julien", "Julien Marchetti", "en"),
        ("lina", "Li Na", "zh-hans"),
        ("amelie", "Amélie Roux", "fr"),
        *teammates,
    ):
        people[username] = make_person(username, name=name, language=language)
        Registration.objects.create(summit=summit, user=people[username])
    company = Company.objects.create(summit=summit, slug="fair-vision", name="Fair Vision", country="FR")
    company.members.add(*(user for username, user in people.items() if username != "lina"))
    services.do_create_missing_profiles(summit)
    lina_card = services.my_profile(people["lina"], summit)
    meeting = services.do_request_meeting(
        people["julien"], summit, services.MeetingRequest(lina_card.pk, STARTS_AT, 30, as_company="fair-vision")
    )
    services.do_accept(people["lina"], meeting)
    if colleague_seated:
        calls.do_add_colleague(people["julien"], meeting.pk, people["amelie"].pk)  # she comes in later
    return {
        "id": meeting.pk,
        "path": f"/summits/roadshow/rooms/meeting-{meeting.pk}/",
        "page": f"/summits/roadshow/partnering/meetings/{meeting.pk}/",
        "ids": {name: user.pk for name, user in people.items()},
        "sessions": {name: session_of(user) for name, user in people.items()},
    }


@pytest.fixture
def meeting():
    """Built before the browsers start (tests name it before `browser`)."""
    return build_meeting()


@pytest.fixture
def browser(server):
    from playwright.sync_api import sync_playwright

    require_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *FAKE_MEDIA])
        yield chromium
        chromium.close()


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def signed_in_page(browser, base, meeting, name, **device):
    """A fresh browser context signed in as `name` (a phone's with PHONE), its page collecting script errors."""
    context = browser.new_context(base_url=base, permissions=["camera", "microphone"], **device)
    context.add_cookies([{"name": "sessionid", "value": meeting["sessions"][name], "url": base}])
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    return page


def person(browser, base, meeting, name, query="?ice=relay", init_script=None, **device):
    page = signed_in_page(browser, base, meeting, name, **device)
    if init_script:
        page.add_init_script(init_script)
    page.goto(meeting["path"] + query)
    page.wait_for_selector("#room[data-connection=live]")
    return page


# What the page shows of each connection, for a failure's message.
TILES = """call => [call.dataset.me, call.querySelector("[data-call-note]").textContent,
  ...[...call.querySelectorAll("figure")].map((figure) => JSON.stringify({...figure.dataset,
     ...(figure.querySelector("video")?.dataset ?? {})}))].join(" | ")"""


def sees(page, other_id, timeout=CONNECT_MS):
    """Waits until `other_id`'s picture plays on `page`, relayed, and its decoded frames keep rising."""
    video = f"video[data-call-remote][data-user-id='{other_id}']"
    try:
        page.wait_for_function(
            """selector => {
                const video = document.querySelector(selector);
                return video && video.videoWidth > 0 && Number(video.dataset.framesDecoded || 0) > 0;
            }""",
            arg=video,
            timeout=timeout,
        )
    except Exception as error:
        shown = page.evaluate(TILES, page.query_selector("#call"))
        raise AssertionError(f"no picture of {other_id}: {shown}") from error
    first = int(page.locator(video).get_attribute("data-frames-decoded"))
    page.wait_for_function(
        "([selector, first]) => Number(document.querySelector(selector).dataset.framesDecoded) > first",
        arg=[video, first],
        timeout=10000,
    )
    return page.locator(video).get_attribute("data-candidate-type")


def join(page):
    page.locator("[data-call-join]").click()
    page.wait_for_selector("#call[data-joined=yes]")


def test_two_then_three_people_see_each_other_through_the_turn_relay(server, meeting, browser):
    ids = meeting["ids"]
    julien = person(browser, server, meeting, "julien")
    lina = person(browser, server, meeting, "lina")
    join(julien)
    join(lina)
    assert sees(julien, ids["lina"]) == "relay"
    assert sees(lina, ids["julien"]) == "relay"

    amelie = person(browser, server, meeting, "amelie")
    join(amelie)
    for page, others in ((julien, ("lina", "amelie")), (lina, ("julien", "amelie")), (amelie, ("julien", "lina"))):
        for other in others:
            assert sees(page, ids[other]) == "relay", (page, other)
    for page in (julien, lina, amelie):
        assert page.problems == []


def test_the_picture_comes_back_after_the_socket_drops_and_returns(server, meeting, browser):
    ids = meeting["ids"]
    julien = person(browser, server, meeting, "julien")
    lina = person(browser, server, meeting, "lina")
    join(julien)
    join(lina)
    sees(lina, ids["julien"])
    julien.context.set_offline(True)
    julien.wait_for_selector("#room:not([data-connection=live])", timeout=20000)
    julien.context.set_offline(False)
    julien.wait_for_selector("#room[data-connection=live]", timeout=30000)
    assert sees(lina, ids["julien"]) == "relay"
    assert sees(julien, ids["lina"]) == "relay"


def test_screen_sharing_replaces_the_camera_on_the_other_side(server, meeting, browser):
    ids = meeting["ids"]
    julien = person(browser, server, meeting, "julien")
    lina = person(browser, server, meeting, "lina")
    join(julien)
    join(lina)
    sees(lina, ids["julien"])
    video = f"video[data-call-remote][data-user-id='{ids['julien']}']"
    camera_width = lina.evaluate(f'document.querySelector("{video}").videoWidth')
    julien.locator("[data-call-share]").click()
    julien.wait_for_selector("#call[data-sharing=yes]", timeout=10000)
    lina.wait_for_function(
        "([selector, width]) => document.querySelector(selector).videoWidth !== width",
        arg=[video, camera_width],
        timeout=20000,
    )


# The camera refused, the microphone allowed: what a person who says no to the camera sees.
REFUSE_CAMERA = """
const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
navigator.mediaDevices.getUserMedia = (constraints) => constraints.video
  ? Promise.reject(new DOMException("Permission denied", "NotAllowedError"))
  : original(constraints);
"""


def test_a_person_who_refuses_the_camera_joins_with_sound_only_and_is_told_so(server, meeting, browser):
    ids = meeting["ids"]
    julien = person(browser, server, meeting, "julien")
    lina = person(browser, server, meeting, "lina", init_script=REFUSE_CAMERA)
    lina.wait_for_selector("#call[data-media=audio]")
    assert "摄像头" in lina.locator("[data-call-note]").inner_text()  # in plain words, in her language
    join(julien)
    join(lina)
    assert sees(lina, ids["julien"]) == "relay"  # she still sees him
    julien.wait_for_function(
        """id => { const video = document.querySelector(`video[data-call-remote][data-user-id='${id}']`);
                   return video && video.srcObject && video.srcObject.getAudioTracks().length > 0; }""",
        arg=ids["lina"],
        timeout=CONNECT_MS,
    )


# --- colleagues brought in from the meeting page ---------------------------------------------


@pytest.fixture
def team_meeting():
    """Julien's meeting with Li Na, nobody brought in yet; Fair Vision also has Hugo and Inès."""
    teammates = (("hugo", "Hugo Petit", "en"), ("ines", "Inès Moreau", "en"))
    return build_meeting(colleague_seated=False, teammates=teammates)


def fits_the_screen(page):
    """Nothing of the page sticks out sideways (a phone would have to scroll to reach it)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def bring(page, meeting, name):
    page.locator("[data-colleague-choice]").select_option(str(meeting["ids"][name]))
    page.locator("[data-colleague-form] button[type=submit]").click()


@pytest.mark.parametrize("device", [{}, PHONE], ids=["desktop", "phone"])
def test_a_person_brings_a_colleague_from_the_meeting_page_and_the_colleague_opens_the_room_and_joins(
    server, team_meeting, browser, device
):
    meeting, ids = team_meeting, team_meeting["ids"]
    julien = signed_in_page(browser, server, meeting, "julien", **device)
    julien.goto(meeting["page"])
    assert julien.locator("[data-colleague-list] li").count() == 2  # Julien and Li Na
    bring(julien, meeting, "amelie")
    julien.wait_for_selector(f"[data-colleague-list] li[data-user-id='{ids['amelie']}'] [data-colleague-remove]")
    assert "Amélie Roux" in julien.locator("[data-colleague-status]").inner_text()
    assert julien.locator(f"[data-colleague-choice] option[value='{ids['amelie']}']").count() == 0
    assert fits_the_screen(julien)

    amelie = person(browser, server, meeting, "amelie", **device)  # the room lets her in: she sits in the meeting
    join(amelie)
    assert fits_the_screen(amelie)

    bring(julien, meeting, "hugo")
    julien.wait_for_selector(f"[data-colleague-list] li[data-user-id='{ids['hugo']}']")
    bring(julien, meeting, "ines")  # a fifth person: the API's refusal, in plain words
    julien.wait_for_selector("[data-colleague-status].error")
    assert "at most 4 people" in julien.locator("[data-colleague-status]").inner_text()
    julien.locator(f"[data-colleague-remove='{ids['hugo']}']").click()
    julien.wait_for_selector(f"[data-colleague-list] li[data-user-id='{ids['hugo']}']", state="detached")
    assert julien.locator(f"[data-colleague-choice] option[value='{ids['hugo']}']").count() == 1
    assert julien.problems == [] and amelie.problems == []


# --- a weak line drops the call to sound only ---------------------------------------------------

# Made-up samples through static/js/call-line.js's decision, in the browser that runs it.
LINE_SCENARIOS = """async () => {
  const line = await import("/static/js/call-line.js");
  const run = (samples, start = line.initialLine()) => {
    let state = start;
    const switchedAt = [];
    for (const sample of samples) {
      state = line.judgeLine(state, { outgoingKbps: null, ...sample });
      if (state.switched) switchedAt.push(sample.at);
    }
    return { state, switchedAt };
  };
  const every2s = (from, to, figures) => {
    const samples = [];
    for (let at = from; at <= to; at += 2000) samples.push({ at, ...figures });
    return samples;
  };
  const bad = { loss: 0.15, rttMs: 200 };
  const good = { loss: 0.0, rttMs: 150, outgoingKbps: 900 };
  const resumed = line.resumeVideo(run(every2s(0, 6000, bad)).state);
  return {
    weakFourSeconds: run(every2s(0, 4000, bad)).switchedAt,
    weakSixSeconds: run(every2s(0, 8000, bad)).switchedAt,
    slowRoundTrip: run(every2s(0, 6000, { loss: 0, rttMs: 900 })).switchedAt,
    littleToSend: run(every2s(0, 6000, { loss: 0, rttMs: 100, outgoingKbps: 80 })).switchedAt,
    brokenByAGoodSample:
      run([...every2s(0, 4000, bad), { at: 6000, ...good }, ...every2s(8000, 12000, bad)]).switchedAt,
    betweenTheThresholds: run(every2s(0, 30000, { loss: 0.06, rttMs: 600, outgoingKbps: 200 })).switchedAt,
    afterResumingSixSeconds: run(every2s(10000, 16000, bad), resumed).switchedAt,
    afterResumingTwentySeconds: run(every2s(10000, 30000, bad), resumed).switchedAt,
    stillSoundOnly: run(every2s(0, 12000, bad)).state.mode,
    recoveredSoon: run(every2s(8000, 16000, good), run(every2s(0, 6000, bad)).state).state.recovered,
    recoveredAfterTen: run(every2s(8000, 18000, { ...good, outgoingKbps: 40 }), run(every2s(0, 6000, bad)).state).state,
  };
}"""


def test_the_weak_line_decision_switches_after_six_weak_seconds_and_not_on_a_line_that_hovers(server, browser):
    page = browser.new_page()
    page.goto(f"{server}/static/js/call-line.js")
    found = page.evaluate(LINE_SCENARIOS)
    assert found["weakFourSeconds"] == []  # three weak samples, 4 s: not yet
    assert found["weakSixSeconds"] == [6000]  # weak for 6 s: sound only, once
    assert found["slowRoundTrip"] == [6000] and found["littleToSend"] == [6000]
    assert found["brokenByAGoodSample"] == []  # the streak starts again after a good sample
    assert found["betweenTheThresholds"] == []
    assert found["afterResumingSixSeconds"] == []  # after the camera is back on, more patience
    assert found["afterResumingTwentySeconds"] == [30000]
    assert found["stillSoundOnly"] == "audio"  # sound only lasts until the person turns the camera back on
    assert found["recoveredSoon"] is False
    # good for 10 s (the outgoing estimate, low while only sound goes out, left out): the page may say so
    assert found["recoveredAfterTen"]["recovered"] is True and found["recoveredAfterTen"]["mode"] == "audio"


# The connection panel's figures made weak on demand (window.weakLine): a slow round trip and little to send.
WEAK_STATS = """
const realGetStats = RTCPeerConnection.prototype.getStats;
RTCPeerConnection.prototype.getStats = async function (...args) {
  const report = await realGetStats.apply(this, args);
  if (!window.weakLine) return report;
  const changed = new Map();
  report.forEach((entry, id) => changed.set(id, entry.type === "candidate-pair"
    ? { ...entry, currentRoundTripTime: 1.5, availableOutgoingBitrate: 60000 } : entry));
  return changed;
};
"""


# The video caps the page asks for: in the offer's transceivers, and on the answering side's senders.
RECORD_CAPS = """
window.videoCaps = [];
const addTransceiver = RTCPeerConnection.prototype.addTransceiver;
RTCPeerConnection.prototype.addTransceiver = function (kind, init) {
  if (kind === "video") window.videoCaps.push(init?.sendEncodings?.[0]?.maxBitrate ?? null);
  return addTransceiver.call(this, kind, init);
};
const setParameters = RTCRtpSender.prototype.setParameters;
RTCRtpSender.prototype.setParameters = function (parameters, ...rest) {
  window.videoCaps.push(parameters.encodings?.[0]?.maxBitrate ?? null);
  return setParameters.call(this, parameters, ...rest);
};
"""


def test_a_weak_line_drops_the_call_to_sound_only_until_the_camera_is_turned_back_on(server, meeting, browser):
    ids = meeting["ids"]
    julien = person(browser, server, meeting, "julien", init_script=WEAK_STATS + RECORD_CAPS)
    lina = person(browser, server, meeting, "lina", init_script=RECORD_CAPS)
    join(julien)
    join(lina)
    assert sees(lina, ids["julien"]) == "relay"
    for page in (julien, lina):  # each connection's video goes at 500 kbit/s at most, whoever offered
        assert set(page.evaluate("window.videoCaps")) == {500_000}, page.evaluate("window.videoCaps")
    julien.evaluate("window.weakLine = true")
    julien.wait_for_selector("#call[data-line=sound-only]", timeout=30000)
    assert "sound only" in julien.locator("[data-call-line]").inner_text()
    assert julien.locator("[data-call-video-back]").is_visible()
    julien.wait_for_selector(f"figure[data-sending=audio]:has(video[data-user-id='{ids['lina']}'])")
    # Li Na was asked to send him no video either, and her page says why
    his_tile = f"figure:has(video[data-user-id='{ids['julien']}'])"
    lina.wait_for_selector(f"{his_tile}[data-their-line=weak][data-sending=audio]")
    assert "Julien Marchetti" in lina.locator(f"{his_tile} figcaption").inner_text()

    julien.evaluate("window.weakLine = false")
    julien.locator("[data-call-video-back]").click()
    julien.wait_for_selector("#call[data-line=video]")
    lina.wait_for_selector(f"{his_tile}[data-their-line=video][data-sending=video]")
    assert sees(lina, ids["julien"]) == "relay"  # his picture flows again
    assert julien.problems == [] and lina.problems == []
