"""What the live rooms' rules share: size limits, the kinds of viewer, and the refusal for text too large."""

import datetime as dt

from django.contrib.auth import get_user_model

from summit.errors import Invalid

User = get_user_model()
CHAT_MAX_CHARS = 2000
QUESTION_MAX_CHARS = 500
CLIENT_ID_MAX_CHARS = 64
RECENT_MESSAGES = 50
QUESTIONS_SHOWN = 200
REPLAY_BATCH = 500
# Attendance rows not refreshed for this long belong to a process that died.
STALE_ATTENDANCE_AFTER = dt.timedelta(seconds=90)
# Viewers, by what they may see of questions: staff see pending questions and
# anonymous authors; the live session's speakers see pending questions only.
STAFF, SPEAKER, ATTENDEE = "staff", "speaker", "attendee"
VIEWER_KINDS = (STAFF, SPEAKER, ATTENDEE)
QUESTION_EVENTS = ("question.created", "question.updated")
MODERATION_ACTIONS = ("approve", "answer", "dismiss", "pin")


class TooLarge(Invalid):
    status = 413
    code = "too_large"
