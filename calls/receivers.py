"""The meeting's changes, seen by its call."""

from calls import services

# A call exists only while its meeting is accepted: these end it for everyone at once.
ENDS_THE_CALL = ("cancelled", "declined", "proposed")


def on_meeting_changed(sender, meeting_id, change, **kwargs):
    if change in ENDS_THE_CALL:
        services.do_end_call(meeting_id, change)
