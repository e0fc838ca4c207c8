"""A person's place in a meeting's call."""

from django.conf import settings
from django.db import models

from partnering.models import Meeting


class CallSeat(models.Model):
    """Who is in a meeting's call now (`left_at` empty), and who ever joined it.

    One row per person and meeting, kept after they leave: the "not joined
    yet" mail reads who came, and a person who rejoins takes the same row.
    `socket` names the room socket holding the call, so a late disconnect of
    an old socket never takes the seat its newer socket holds.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="call_seats")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="call_seats")
    socket = models.CharField(max_length=32)
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="one_call_seat_per_person")]

    def __str__(self):
        return f"{self.user_id} in the call of meeting {self.meeting_id}"
