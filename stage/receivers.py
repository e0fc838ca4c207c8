"""What the stage adds to the programme and to the live rooms, and what it does when they change;
connected in StageConfig.ready().

livechat asks for parts of `room.state` and the programme for replay links (their `signals.py`);
neither imports the stage.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from events.models import Room
from events.signals import replay_urls
from livechat.signals import room_state_parts
from stage.models import Recording, RestreamTarget
from stage.services import channels, mediaconfig


def stage_part(room_id, viewers, **signal):
    return {"stage": channels.room_state_part(room_id, viewers)}


def replay_pages(sessions, **signal):
    return channels.replay_pages_for(sessions)


def media_changed(sender, **kwargs):
    """What the media server serves and relays is in its configuration: a room made private or public,
    a replay hidden, a target added (in the admin too) writes it again."""
    transaction.on_commit(mediaconfig.refresh_config)


def connect():
    room_state_parts.connect(stage_part, dispatch_uid="stage.room_state")
    replay_urls.connect(replay_pages, dispatch_uid="stage.replays")
    for model in (Room, Recording, RestreamTarget):
        for signal in (post_save, post_delete):
            signal.connect(media_changed, sender=model, dispatch_uid=f"stage.media_config.{model.__name__}")
