"""The stage on other apps' pages: the room's player and a session's replays, without their views importing it."""

from django import template
from django.conf import settings
from django.urls import reverse

from stage.services import channels

register = template.Library()


@register.inclusion_tag("stage/_player.html", takes_context=True)
def stage_player(context, room):
    """The room's stage, drawn for this viewer; static/js/stage.js keeps it current from the room socket."""
    request = context["request"]
    state = channels.stage_state(room)
    language = channels.default_language(request.user.pk)
    replays = channels.recordings_for(room=room)
    return {
        "room": room,
        "state": state,
        "chosen": channels.choose_stream(state["streams"], language),
        "default_language": language,
        "replays": replays,
        "replay_ids": [replay["id"] for replay in replays],
        "stage_url": reverse("api:stage", kwargs={"slug": room.summit.slug, "room": room.slug}),
        "labels": channels.player_labels(),
        "stage_latency": settings.STAGE_LATENCY,
        "go_live_url": reverse("go-live", args=[room.summit.slug, room.slug])
        if channels.can_go_live(request.user, room)
        else None,
    }


@register.simple_tag
def session_replays(session):
    """A session's replays, ready and not hidden: "Watch the replay" on its page."""
    return channels.recordings_for(session=session)
