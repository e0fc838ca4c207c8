"""The live stage: a room's channels (one per language, each with its stream key), recordings, restream targets.

The stream key is the only secret here besides restream keys: it never leaves the ingest endpoint
and the Go live page. HLS files and recordings are named by the channel's `public_name`.
"""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from events.models import Room, Session

ORIGINAL = "original"


def new_stream_key():
    return secrets.token_hex(20)


def new_public_name():
    """Names a channel's HLS folder and recordings: random, so nobody finds a room's stream by its id."""
    return secrets.token_hex(12)


def new_replay_slug():
    return secrets.token_urlsafe(12)


class Channel(models.Model):
    """One stream of a room: the original (floor) sound and picture, or one interpreter's language."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="stage_channels")
    language = models.CharField(max_length=10, help_text=_("“original”, or the interpretation's language code."))
    stream_key = models.CharField(max_length=64, unique=True, default=new_stream_key)
    # Names the HLS folder and recordings: stable across key rotations, never the key, not guessable.
    public_name = models.CharField(max_length=64, unique=True, default=new_public_name)
    embed_url = models.URLField(blank=True, help_text=_("An embedded player for this language, used when not live."))
    live_since = models.DateTimeField(null=True, blank=True)
    # While publishing: False in the backstage (a preview for the presenting company and organisers),
    # True once attendees see it (their session started, or an organiser put it on air).
    on_air = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "language"], name="one_stage_channel_per_language")]

    def __str__(self):
        return f"{self.room} · {self.language}"


class Recording(models.Model):
    """One publish of one channel, recorded by the media server and remuxed into an on-demand replay."""

    class Status(models.TextChoices):
        RECORDING = "recording", _("Recording")
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="recordings")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="recordings")
    language = models.CharField(max_length=10, default=ORIGINAL)
    public_name = models.CharField(max_length=64)
    slug = models.CharField(max_length=32, unique=True, default=new_replay_slug)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    duration_s = models.FloatField(null=True, blank=True)
    source_path = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECORDING)
    is_hidden = models.BooleanField(default=False, help_text=_("Hidden replays are listed to nobody but organisers."))

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["room", "status"]), models.Index(fields=["public_name", "status"])]

    def __str__(self):
        return f"{self.room} · {self.started_at:%Y-%m-%d %H:%M}"


class RestreamTarget(models.Model):
    """Where the media server relays a room's original stream while it is live (Bilibili, YouTube…)."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="restream_targets")
    url = models.CharField(max_length=300)
    stream_key = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.room} → {self.url}"
