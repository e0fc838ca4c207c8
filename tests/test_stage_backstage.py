"""The backstage: a stream before its session is a preview for the company and organisers, on air when
the session starts or an organiser says so."""

import json

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from stage.models import Channel, Recording
from stage.services import channels
from tests.conftest import csrf_headers, signed_in
from tests.live import join, next_frame, orm
from tests.stage_helpers import INGEST, STAGE, acallback, callback, keys, public_name

# The callbacks are async views whose database calls run on another thread: rows must be committed.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("stage_media_dir")]


# --- the backstage: a preview before the session, on air when it starts or an organiser says so --------------


def test_stream_before_the_session_is_a_preview_for_the_company_and_organisers_only(
    presenter, organiser, attendee_paris, coming_pitch, client
):
    ingest = signed_in(presenter).get(INGEST).json()
    assert ingest["status"] == "offline"
    name = public_name(coming_pitch.room)
    assert callback(client, "started", app="stage", name=name).status_code == 200

    for person in (presenter, organiser):
        ingest = signed_in(person).get(INGEST).json()
        original = next(key for key in ingest["keys"] if key["language"] == "original")
        assert ingest["status"] == "backstage"
        assert original["live"] is True and original["on_air"] is False
        assert original["preview_url"] == f"{settings.MEDIA_ORIGIN}/hls/{name}/index.m3u8"
    stage = signed_in(attendee_paris).get(STAGE).json()
    assert stage["status"] == "offline"
    assert [stream["live"] for stream in stage["streams"]] == [False, False, False, False]
    assert name not in json.dumps(stage)  # attendees never get the preview's address
    page = signed_in(attendee_paris).get("/summits/roadshow/rooms/fair-vision/").content.decode()
    assert name not in page
    # Recorded for the session it waits for.
    assert Recording.objects.get(public_name=name).session == coming_pitch


async def test_preview_stays_off_attendees_sockets_and_reaches_them_when_the_session_starts(
    presenter, attendee_paris, coming_pitch, cookies
):

    key = (await orm(lambda: keys(signed_in(presenter).get(INGEST))))["original"]
    name = await orm(public_name, coming_pitch.room)
    camille, state = await join(await cookies(attendee_paris), "/ws/summits/roadshow/rooms/fair-vision/")
    try:
        response = await acallback("started", app="stage", name=name)
        assert response.status_code == 200
        frame = await next_frame(camille)
        assert frame["type"] == "stage.state" and frame["status"] == "offline"
        assert name not in json.dumps(frame)

        # The media server's periodic check while the session has not started: nothing changes (had it
        # sent anything, the next frame below would be that one, not the stream on air).
        assert (await acallback("update", app="live", name=key)).status_code == 200
        assert await orm(lambda: Channel.objects.get(public_name=name).on_air) is False

        # The session starts: the next check puts the stream on air, and Camille's socket hears it.
        now = timezone.now()
        await orm(lambda: type(coming_pitch).objects.filter(pk=coming_pitch.pk).update(starts_at=now))
        assert (await acallback("update", app="live", name=key)).status_code == 200
        frame = await next_frame(camille)
        assert frame["type"] == "stage.state" and frame["status"] == "live"
        original = next(stream for stream in frame["streams"] if stream["language"] == "original")
        assert original["live"] is True and original["url"].endswith(f"/hls/{name}/index.m3u8")
    finally:
        await camille.disconnect()


async def test_organiser_puts_the_backstage_stream_on_air_before_the_session_and_no_one_else_may(
    presenter, organiser, attendee_paris, coming_pitch, cookies
):

    on_air = INGEST + "on-air/"

    def post_on_air(person):
        client = signed_in(person)
        return client.post(on_air, headers=csrf_headers(client))

    await orm(lambda: signed_in(organiser).get(INGEST))
    nothing = await orm(post_on_air, organiser)
    assert nothing.status_code == 409 and "detail" in nothing.json()  # nothing publishing yet
    name = await orm(public_name, coming_pitch.room)
    assert (await acallback("started", app="stage", name=name)).status_code == 200
    camille, state = await join(await cookies(attendee_paris), "/ws/summits/roadshow/rooms/fair-vision/")
    try:
        assert state["stage"]["status"] == "offline"
        assert (await orm(post_on_air, presenter)).status_code == 403  # the company waits for its session
        assert (await orm(post_on_air, attendee_paris)).status_code == 403
        response = await orm(post_on_air, organiser)
        assert response.status_code == 200 and response.json()["status"] == "on_air"
        frame = await next_frame(camille)
        assert frame["type"] == "stage.state" and frame["status"] == "live"
        stage = await orm(lambda: signed_in(attendee_paris).get(STAGE).json())
        assert stage["status"] == "live"
    finally:
        await camille.disconnect()

    # The stream stops: the next one before the session is backstage again.
    assert (await acallback("stopped", app="stage", name=name)).status_code == 200
    assert (await acallback("started", app="stage", name=name)).status_code == 200
    assert (await orm(lambda: signed_in(attendee_paris).get(STAGE).json()))["status"] == "offline"


def test_stream_with_nothing_coming_in_the_room_goes_straight_on_air(
    organiser_client, attendee_client, pitch_room, client
):
    """An organiser's own stream in a free room needs no session to be seen."""
    organiser_client.get(INGEST)
    assert callback(client, "started", app="stage", name=public_name(pitch_room)).status_code == 200
    assert attendee_client.get(STAGE).json()["status"] == "live"
    assert organiser_client.get(INGEST).json()["status"] == "on_air"


def test_go_live_page_says_which_key_is_whose_the_measured_delay_and_offers_put_on_air_to_organisers(
    presenter, organiser, coming_pitch, client, settings
):
    page_url = reverse("go-live", args=["roadshow", "fair-vision"])
    presenter_page = signed_in(presenter).get(page_url).content.decode()
    assert "Original: the language you speak." in presenter_page
    assert "Interpretation into French: for the interpreter into French" in presenter_page
    seconds = channels.MEASURED_LATENCY_SECONDS[settings.STAGE_LATENCY]
    assert f"Attendees see you about {seconds} seconds after you do" in presenter_page
    assert f"keyframe interval {settings.HLS_FRAGMENT_SECONDS} second" in presenter_page
    assert "Your session: Fair Vision pitch" in presenter_page
    assert 'id="put-on-air"' not in presenter_page
    assert "6 to 10" not in presenter_page
    assert presenter_page.count('id="go-live-labels"') == 1

    organiser_client = signed_in(organiser)
    assert 'id="put-on-air"' in organiser_client.get(page_url).content.decode()
    callback(client, "started", app="stage", name=public_name(coming_pitch.room))
    response = organiser_client.post(page_url, {"action": "on-air"}, headers=csrf_headers(organiser_client))
    assert response.status_code == 302
    assert Channel.objects.get(room=coming_pitch.room, language="original").on_air is True
    presenter_client = signed_in(presenter)
    refused = presenter_client.post(page_url, {"action": "on-air"}, headers=csrf_headers(presenter_client))
    assert refused.status_code == 302  # the page says why; nothing changes for a non-organiser
