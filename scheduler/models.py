"""What the background work has planned, sent and built; the database is the source of truth.

A Reminder row exists once per (source, target, recipient, kind, offset): the
unique constraint is what makes a reminder exactly-once, whoever plans it and
however often. Its `status` moves pending -> queued -> sending -> sent (or
skipped) only through conditional updates, so two processes can never both
own it.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models


class Reminder(models.Model):
    class Kind(models.TextChoices):
        REMINDER = "reminder"
        CANCELLATION = "cancellation"

    class Status(models.TextChoices):
        PENDING = "pending"  # planned, not yet handed to a worker
        QUEUED = "queued"  # a send task was enqueued at `queued_at`
        SENDING = "sending"  # claimed by one attempt until `lease_until`
        SENT = "sent"
        SKIPPED = "skipped"  # too late, target cancelled, recipient gone: never sent

    class Role(models.TextChoices):
        ATTENDEE = "attendee"
        SPEAKER = "speaker"
        COMPANY = "company"

    # The registered source ("session", later "meeting") and the id of the thing it reminds of.
    source = models.CharField(max_length=20)
    target_id = models.BigIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.REMINDER)
    offset_minutes = models.PositiveIntegerField(default=0)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.ATTENDEE)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    queued_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the mail server accepted the mail (or, with mail off, the notice was due): written alone, before
    # the row is `sent`, so an attempt taking over after a crash knows the mail left.
    sent_at = models.DateTimeField(null=True, blank=True)
    skip_reason = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target_id", "user", "kind", "offset_minutes"], name="one_reminder_per_offset"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="reminder_status_due"),
            models.Index(fields=["source", "target_id", "status"], name="reminder_target_status"),
        ]

    def __str__(self):
        return f"{self.kind} {self.source}:{self.target_id} -> {self.user_id} @-{self.offset_minutes}m"

    @property
    def message_id(self):
        """The same for every attempt, so a resend after a crash is recognisable as a duplicate."""
        return f"<reminder-{self.pk}-{self.kind}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}>"


class Notification(models.Model):
    """An in-app notice; one per reminder at most, and one per `key` (a change someone is told of), whatever
    the retries. `mailed_at` is claimed before the mail leaves, so a notice is mailed at most once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    reminder = models.OneToOneField(
        Reminder, null=True, blank=True, on_delete=models.CASCADE, related_name="notification"
    )
    kind = models.CharField(max_length=20)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # "meeting:12:accepted:3": the change this notice tells of; empty for reminders (they have `reminder`).
    key = models.CharField(max_length=100, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_user_unread"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], condition=~models.Q(key=""), name="one_notice_per_change"),
        ]

    @property
    def message_id(self):
        return f"<notice-{self.pk}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}>"


class NoticeSetting(models.Model):
    """A person's choice about notices: in-app always, by mail unless they turned it off."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_setting")
    by_mail = models.BooleanField(default=True)


class SummitReport(models.Model):
    """A stored attendance report; (summit, key) makes "once per summit end" a database fact."""

    class Status(models.TextChoices):
        PENDING = "pending"
        BUILDING = "building"
        READY = "ready"

    FINAL = "final"

    summit = models.ForeignKey("events.Summit", on_delete=models.CASCADE, related_name="reports")
    key = models.CharField(max_length=40, default=FINAL)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    generation = models.PositiveIntegerField(default=0, help_text="Bumped by every (re)build request.")
    lease_until = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    csv = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["summit", "key"], name="one_report_per_summit_key"),
        ]
