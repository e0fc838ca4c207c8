"""What the stage adds to the programme and to the live rooms, connected in StageConfig.ready().

livechat asks for parts of `room.state` and the programme for replay links (their `signals.py`);
neither imports the stage.
"""

from events.signals import replay_urls
from livechat.signals import room_state_parts
from stage.services import channels


def stage_part(room_id, viewers, **signal):
    return {"stage": channels.room_state_part(room_id, viewers)}


def replay_pages(sessions, **signal):
    return channels.replay_pages_for(sessions)


def connect():
    room_state_parts.connect(stage_part, dispatch_uid="stage.room_state")
    replay_urls.connect(replay_pages, dispatch_uid="stage.replays")
