"""The meeting's changes, seen by its call; and the call's notices, asked for by the scheduler."""

from calls import services
from calls.notices import CallNotices

CALL_NOTICES = CallNotices()

# A call exists only while its meeting is accepted: these end it for everyone at once.
ENDS_THE_CALL = ("cancelled", "declined", "proposed")


def on_meeting_changed(sender, meeting_id, change, **kwargs):
    if change in ENDS_THE_CALL:
        services.do_end_call(meeting_id, change)


def call_notices(**signal):
    """scheduler.signals.notice_sources: "Claire is waiting in the meeting room"."""
    return CALL_NOTICES
