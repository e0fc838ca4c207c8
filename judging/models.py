"""Jury scoring of pitches and the audience's people's choice, per summit.

Scores are kept as the juror typed them; every figure organisers see (weighted
scores, means, spread, the per-juror normalisation) is computed from them in
judging/services.py, so changing the formula never needs a data migration.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from events.models import Session, Summit


class Criterion(models.Model):
    """One line of a summit's rubric, e.g. "Innovation", weight 30, scored 1 to 10."""

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(max_length=40)
    label = models.JSONField(help_text='The label in each language: {"en": …, "fr": …, "zh-hans": …}.')
    weight = models.PositiveIntegerField()
    min_score = models.IntegerField()
    max_score = models.IntegerField()
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["summit", "position"]
        constraints = [
            models.UniqueConstraint(fields=["summit", "key"], name="one_criterion_per_summit_key"),
            models.CheckConstraint(condition=Q(max_score__gt=F("min_score")), name="criterion_max_above_min"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
        ]


class Juror(models.Model):
    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="jurors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jury_seats")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["summit", "user"], name="one_jury_seat_per_summit")]


class Judging(models.Model):
    """Where a summit's judging stands: open for scores, closed, results published to the companies."""

    summit = models.OneToOneField(Summit, on_delete=models.CASCADE, primary_key=True, related_name="judging")
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)


class Scorecard(models.Model):
    """One juror's scores for one pitch: a draft until submitted, editable until judging closes."""

    class Status(models.TextChoices):
        DRAFT = "draft"
        SUBMITTED = "submitted"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="scorecards")
    juror = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scorecards")
    scores = models.JSONField(default=dict, help_text="{criterion key: score}")
    comment = models.TextField(blank=True, help_text="Private to the organisers.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "juror"], name="one_scorecard_per_juror_pitch")]


class PeoplesChoice(models.Model):
    """An attendee's one favourite pitch of the summit; choosing again replaces it."""

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="peoples_choices")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="peoples_choices")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="peoples_choices")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["summit", "user"], name="one_peoples_choice_per_summit")]
