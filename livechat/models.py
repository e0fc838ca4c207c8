"""What happens in a live room: chat, questions, votes, reactions and who was there.

Every persisted event is also written to RoomEvent under the room's next
`seq`, so a client that reconnects with `?since=SEQ` can be replayed exactly
what it missed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from events.models import Room, Session


class RoomLog(models.Model):
    """The room's event counter; its row lock serialises `seq` across processes."""

    room = models.OneToOneField(Room, on_delete=models.CASCADE, primary_key=True, related_name="log")
    last_seq = models.BigIntegerField(default=0)


class RoomEvent(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="events")
    seq = models.BigIntegerField()
    type = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "seq"], name="one_event_per_room_seq")]
        ordering = ["room", "seq"]


class ChatMessage(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="chat_messages")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="chat_messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_messages")
    seq = models.BigIntegerField()
    body = models.TextField()
    client_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001  (NULL: none sent; unique per person and room when sent)
    created_at = models.DateTimeField(auto_now_add=True)
    # Deleted by a moderator: kept for the record, never shown or replayed again.
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["room", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["room", "author", "client_id"],
                condition=Q(client_id__isnull=False),
                name="chat_client_id_unique_per_author_room",
            ),
        ]
        indexes = [models.Index(fields=["session"])]


class Question(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        ANSWERED = "answered"
        DISMISSED = "dismissed"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="questions")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="questions")
    is_anonymous = models.BooleanField(default=False)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPROVED)
    is_pinned = models.BooleanField(default=False)
    votes = models.PositiveIntegerField(default=0)
    client_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001  (NULL: none sent; unique per person and room when sent)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-votes", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["room", "author", "client_id"],
                condition=Q(client_id__isnull=False),
                name="question_client_id_unique_per_author_room",
            ),
        ]
        indexes = [models.Index(fields=["session", "status"])]


class QuestionVote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="vote_set")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="question_votes")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "user"], name="one_vote_per_person")]


class ReactionTally(models.Model):
    """Reactions are ephemeral on the wire; only their totals per session are kept, for reports."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="reaction_tallies")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.CASCADE, related_name="reaction_tallies"
    )
    emoji = models.CharField(max_length=16)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "session", "emoji"], name="one_tally_per_room_session_emoji"),
        ]


class Attendance(models.Model):
    """One person in one room from `joined_at` to `left_at`.

    `server` names the Daphne process holding the socket, so intervals left
    open by a process that died can be closed by whoever notices.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendances")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="attendances")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="attendances")
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    server = models.CharField(max_length=64, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["room", "joined_at"]),
            models.Index(fields=["session"]),
            models.Index(fields=["left_at"], condition=Q(left_at__isnull=True), name="open_attendance"),
        ]


class WatchTime(models.Model):
    """Seconds one person's closed intervals in a room spent in one session's window (livechat/attendance_totals.py).

    Uncapped: with two tabs open the sum passes the session's length; the report caps it.
    """

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seconds = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="one_watch_time_per_session_person")]
        # A session's people in watch-time order, read without the table: count, sum and the median's rows.
        indexes = [models.Index(fields=["session", "seconds", "user"], name="watch_time_in_order")]


class PresenceChange(models.Model):
    """How many more (or fewer) people were connected to a room from `second` (Unix time) on, by closed intervals."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    second = models.BigIntegerField()
    change = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "second"], name="one_presence_change_per_room_second")]
        # Sweeps read a room's seconds in order with their changes, without the table.
        indexes = [models.Index(fields=["room", "second", "change"], name="presence_change_sweep")]


class RoomMute(models.Model):
    """A person who may not chat, ask or react in a room until `until`, set by a moderator or organiser."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="mutes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="room_mutes")
    until = models.DateTimeField()
    muted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="one_mute_per_person_room")]


class Poll(models.Model):
    """A question put to the room during a session; its counts are always read from the ballots."""

    class Status(models.TextChoices):
        OPEN = "open"
        CLOSED = "closed"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="polls")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="polls")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="polls")
    question = models.TextField()  # the original text: what a language without its own text reads
    # {language code: text}: the question in each language it was written in (livechat/polls.py's text_in).
    question_i18n = models.JSONField(default=dict, blank=True)
    multiple = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    client_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001  (NULL: none sent; unique per person and room when sent)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["room", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["room", "author", "client_id"],
                condition=Q(client_id__isnull=False),
                name="poll_client_id_unique_per_author_room",
            ),
        ]
        indexes = [models.Index(fields=["room", "session"])]


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=200)  # the original text, the fallback
    label_i18n = models.JSONField(default=dict, blank=True)  # {language code: label}, as Poll.question_i18n

    class Meta:
        ordering = ["poll", "position"]
        constraints = [models.UniqueConstraint(fields=["poll", "position"], name="one_option_per_poll_position")]


class PollBallot(models.Model):
    """One person's answer to one poll: the unique constraint is what makes "one ballot each" true."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="poll_ballots")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "user"], name="one_ballot_per_person_per_poll")]


class PollChoice(models.Model):
    """An option ticked on a ballot; a multiple-choice ballot has several, never the same one twice."""

    ballot = models.ForeignKey(PollBallot, on_delete=models.CASCADE, related_name="choices")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="choices")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "option"], name="one_choice_per_ballot_option")]
