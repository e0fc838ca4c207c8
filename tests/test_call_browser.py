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


@pytest.fixture
def meeting():
    """Fair Vision (Julien, and his colleague Amélie) meets Li Na in Qingdao; built before the browsers start."""
    from partnering import services

    summit = make_summit("roadshow", STARTS_AT.date(), STARTS_AT.date())
    people = {}
    for username, name, language in (
        ("julien", "Julien Marchetti", "en"),
        ("lina", "Li Na", "zh-hans"),
        ("amelie", "Amélie Roux", "fr"),
    ):
        people[username] = make_person(username, name=name, language=language)
        Registration.objects.create(summit=summit, user=people[username])
    company = Company.objects.create(summit=summit, slug="fair-vision", name="Fair Vision", country="FR")
    company.members.add(people["julien"], people["amelie"])
    services.do_create_missing_profiles(summit)
    lina_card = services.my_profile(people["lina"], summit)
    meeting = services.do_request_meeting(
        people["julien"], summit, services.MeetingRequest(lina_card.pk, STARTS_AT, 30, as_company="fair-vision")
    )
    services.do_accept(people["lina"], meeting)
    calls.do_add_colleague(people["julien"], meeting.pk, people["amelie"].pk)  # she comes in later
    return {
        "id": meeting.pk,
        "path": f"/summits/roadshow/rooms/meeting-{meeting.pk}/",
        "ids": {name: user.pk for name, user in people.items()},
        "sessions": {name: session_of(user) for name, user in people.items()},
    }


@pytest.fixture
def browser(server, meeting):
    from playwright.sync_api import sync_playwright

    require_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *FAKE_MEDIA])
        yield chromium
        chromium.close()


def person(browser, base, meeting, name, query="?ice=relay", init_script=None):
    context = browser.new_context(base_url=base, permissions=["camera", "microphone"])
    context.add_cookies([{"name": "sessionid", "value": meeting["sessions"][name], "url": base}])
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
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
