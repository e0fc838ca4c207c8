"""The rules of live rooms: who may enter, chat, ask, vote and moderate, and what each viewer sees.

Consumers call `livechat.services.<name>` through one `database_sync_to_async` each and get plain
dicts back. Callers broadcast only after the function returned, that is after commit: nobody hears
of a row that may roll back. One module per concern, this package their one entry point:

- `access`: who may enter, as what (decisions shared by a batch of joins, reused briefly);
- `entry`: entering, `room.state`, replay of missed events; `visibility`: what each viewer sees;
- `room_log`: the per-room `seq` and the stored events; `chat`, `questions`, `reactions`;
- `attendance`: leaving, heartbeats, stale intervals; `limits`: what they share.
"""

from livechat.services.access import (
    ACCESS_TTL,
    ROOM_FACTS_TTL,
    access_live_room,
    access_live_room_of_session,
    access_live_room_of_sessions,
    access_live_room_together,
    entered_room,
    forget_live_access,
)
from livechat.services.attendance import (
    close_stale_attendance,
    do_heartbeat,
    do_leave_room,
)
from livechat.services.chat import (
    do_send_chat_message,
)
from livechat.services.entry import (
    do_enter_room_together,
    events_between,
    room_last_seq,
    room_state,
    room_state_parts_for,
)
from livechat.services.limits import (
    ATTENDEE,
    CHAT_MAX_CHARS,
    CLIENT_ID_MAX_CHARS,
    MODERATION_ACTIONS,
    QUESTION_EVENTS,
    QUESTION_MAX_CHARS,
    QUESTIONS_SHOWN,
    RECENT_MESSAGES,
    REPLAY_BATCH,
    SPEAKER,
    STAFF,
    STALE_ATTENDANCE_AFTER,
    VIEWER_KINDS,
    TooLarge,
    User,
)
from livechat.services.questions import (
    check_can_moderate,
    do_ask_question,
    do_moderate,
    do_vote,
    question_payload,
    question_votes,
)
from livechat.services.reactions import (
    check_emoji,
    do_count_reactions,
)
from livechat.services.room_log import (
    check_body,
    check_client_id,
    lock_room_log,
    record_room_event,
)
from livechat.services.visibility import (
    DELETED_AUTHOR,
    actor_of,
    author_view,
    languages_of,
    poll_in,
    room_info,
    room_info_in,
    view_for,
)

__all__ = [
    "ACCESS_TTL",
    "ROOM_FACTS_TTL",
    "access_live_room",
    "access_live_room_of_session",
    "access_live_room_of_sessions",
    "access_live_room_together",
    "entered_room",
    "forget_live_access",
    "close_stale_attendance",
    "do_heartbeat",
    "do_leave_room",
    "do_send_chat_message",
    "do_enter_room_together",
    "events_between",
    "room_last_seq",
    "room_state",
    "room_state_parts_for",
    "ATTENDEE",
    "CHAT_MAX_CHARS",
    "CLIENT_ID_MAX_CHARS",
    "MODERATION_ACTIONS",
    "QUESTIONS_SHOWN",
    "QUESTION_EVENTS",
    "QUESTION_MAX_CHARS",
    "RECENT_MESSAGES",
    "REPLAY_BATCH",
    "SPEAKER",
    "STAFF",
    "STALE_ATTENDANCE_AFTER",
    "TooLarge",
    "User",
    "VIEWER_KINDS",
    "check_can_moderate",
    "do_ask_question",
    "do_moderate",
    "do_vote",
    "question_payload",
    "question_votes",
    "check_emoji",
    "do_count_reactions",
    "check_body",
    "check_client_id",
    "lock_room_log",
    "record_room_event",
    "DELETED_AUTHOR",
    "actor_of",
    "author_view",
    "room_info",
    "room_info_in",
    "view_for",
    "languages_of",
    "poll_in",
]
