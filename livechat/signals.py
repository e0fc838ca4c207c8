"""What the live rooms ask other apps to add (summit/plugins.py says how).

livechat never imports the apps that answer: the stage, polls and judging connect their receivers
in their AppConfig.ready().
"""

from django.dispatch import Signal

from summit.plugins import Contributions

# room_id, viewers [(user_id, kind)], languages [what each viewer reads, or None] -> {key: [one
# JSON-able value per viewer, in order]}: parts of
# `room.state` (polls add `polls`, the stage `stage`). Receivers run inside the database call that
# reads the rest of the state, so they may use the ORM; they get every viewer of a batch of joins at
# once, so a join storm costs them a few queries per batch, not per person. Two receivers may not
# answer the same key.
room_state_parts = Contributions()

# hub -> None (async receivers): what a live feature does for each followed room once per tick
# (livechat.hub.TICK), e.g. publish coalesced poll results.
room_tick = Contributions()

# -> a feed of stored notices, duck-typed: latest_id() -> the highest notice id now (or 0);
# frames_after(notice_id, user_ids, skip_ids) -> [(notice id, user id, frame)], the notices of these
# people with a higher id, less those already delivered. Where a process has no Redis, the person
# sockets (livechat/people.py) poll it for the notices other processes (the worker) stored; the
# scheduler answers with its notices table.
notice_feeds = Contributions()

# connection (async receivers), sent after a room socket closed: what higher apps undo (the calls app
# frees the person's seat in a call). Event: answers are ignored; a receiver that fails is logged.
room_socket_closed = Signal()

# request, room, session (the live one, or None) -> safe HTML or "": what is drawn beside the stage
# (judging: the juror's score form and the people's-choice button).
stage_panels = Contributions()
