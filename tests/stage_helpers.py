"""Calling the stage as the media server does, for the stage's test files (test_stage_*.py)."""

from django.conf import settings
from django.urls import reverse

from stage.models import Channel
from stage.services import media

STAGE = "/api/summits/roadshow/rooms/fair-vision/stage/"
INGEST = "/api/summits/roadshow/rooms/fair-vision/ingest/"
RESTREAM = "/api/summits/roadshow/rooms/fair-vision/restream/"


def callback(client, event, **form):
    """A POST as the media server sends it: the event's form fields, the shared secret as a header; a
    publish reaching an internal application carries the relay token the platform's relays carry."""
    if event in ("started", "relay", "restream") and "token" not in form:
        form["token"] = media.publish_token(form["app"], form["name"])
    return client.post(
        reverse(f"stage-media-{event}"),
        {"call": event, "addr": "127.0.0.1", "type": "live", **form},
        headers={media.SECRET_HEADER: settings.MEDIA_SECRET},
    )


async def acallback(event, **form):
    """`callback` from an async test, so the room's sockets hear what the callback broadcasts."""
    from django.test import AsyncClient

    if event in ("started", "relay", "restream") and "token" not in form:
        form["token"] = media.publish_token(form["app"], form["name"])
    return await AsyncClient().post(
        reverse(f"stage-media-{event}"),
        {"call": event, "addr": "127.0.0.1", "type": "live", **form},
        headers={media.SECRET_HEADER: settings.MEDIA_SECRET},
    )


def keys(response):
    return {key["language"]: key["stream_key"] for key in response.json()["keys"]}


def public_name(room, language="original"):
    return Channel.objects.get(room=room, language=language).public_name
