"""Partnering: who offers and seeks what, and the 1:1 meetings people book across time zones."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.models import Company, Room, Summit, validate_timezone

# The fixed vocabulary of what partners offer and seek: codes in the API, labels on pages.
NEEDS = {
    "investment": _("investment"),
    "distribution": _("distribution"),
    "rd-partner": _("R&D partner"),
    "manufacturing": _("manufacturing"),
    "pilot-customer": _("pilot customer"),
    "licensing": _("licensing"),
    "market-access": _("market access"),
    "talent": _("talent"),
}


def default_weekdays():
    return [1, 2, 3, 4, 5]


class PartnerProfile(models.Model):
    """One person's, or one pitching company's, partnering card in one summit.

    Exactly one of `user` and `company` is set. A company's meetings are
    answered by any of its members; the member who accepts attends.
    """

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="partner_profiles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="partner_profiles"
    )
    company = models.OneToOneField(
        Company, null=True, blank=True, on_delete=models.CASCADE, related_name="partner_profile"
    )
    organisation = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=2, blank=True)
    city = models.CharField(max_length=100, blank=True, help_text=_("Shown beside local times, e.g. Qingdao."))
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    office_start = models.TimeField(default=dt.time(9, 0))
    office_end = models.TimeField(default=dt.time(18, 0))
    office_weekdays = models.JSONField(default=default_weekdays, help_text=_("ISO weekdays, 1 = Monday."))
    themes = models.JSONField(default=list, blank=True)
    offers = models.JSONField(default=list, blank=True)
    seeks = models.JSONField(default=list, blank=True)
    about = models.TextField(blank=True)
    visible = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["summit", "user"], condition=Q(user__isnull=False), name="one_partner_profile_per_person"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False, company__isnull=True) | Q(user__isnull=True, company__isnull=False),
                name="partner_profile_is_person_or_company",
            ),
            models.CheckConstraint(
                condition=Q(office_end__gt=models.F("office_start")), name="office_hours_end_after_start"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        if self.company_id:
            return self.company.name
        profile = getattr(self.user, "profile", None)
        return profile.name if profile else self.user.get_username()


class Meeting(models.Model):
    """A 1:1 meeting between two partner profiles, asked for by one side and answered by the other."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="meetings")
    requester = models.ForeignKey(PartnerProfile, on_delete=models.CASCADE, related_name="meetings_requested")
    invitee = models.ForeignKey(PartnerProfile, on_delete=models.CASCADE, related_name="meetings_invited")
    proposed_by = models.ForeignKey(
        PartnerProfile,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("The side that proposed the current time; the other side answers."),
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    message = models.TextField(blank=True)
    answer = models.TextField(blank=True, help_text=_("Optional message given when declining."))
    video_url = models.URLField(blank=True)
    room = models.OneToOneField(Room, null=True, blank=True, on_delete=models.SET_NULL, related_name="meeting")
    sequence = models.PositiveIntegerField(default=0, help_text=_("Bumped on every change, for calendar clients."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["summit", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
            models.CheckConstraint(condition=~Q(requester=models.F("invitee")), name="meeting_between_two_profiles"),
        ]

    def __str__(self):
        return f"{self.requester} – {self.invitee}"


class Participation(models.Model):
    """A person's seat in a meeting, with the meeting's time and status copied.

    The copy exists so that PostgreSQL can refuse two accepted seats of one
    person at overlapping times (an exclusion constraint added in a
    migration), however the accepts race.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_seats")
    profile = models.ForeignKey(PartnerProfile, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Meeting.Status.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="one_seat_per_person_per_meeting")]
        indexes = [models.Index(fields=["user", "status", "starts_at"])]


class ContactSharing(models.Model):
    """A person's choice to let pitching companies see their name and email among their leads.

    With `company` empty the choice is for every company of the summit; a choice for one company
    overrides it. Without any choice nothing is shared: the person is counted anonymously.
    """

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="contact_sharing")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_sharing")
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    shared = models.BooleanField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["summit", "user", "company"], name="one_sharing_choice_per_company"),
            models.UniqueConstraint(
                fields=["summit", "user"], condition=Q(company__isnull=True), name="one_sharing_choice_per_summit"
            ),
        ]


class Interest(models.Model):
    """A registered person pressed "Interested" on a pitching company; the company may answer it.

    Private between the two: the company's members (and the organisers) see
    who is interested, nobody else does. Pressing it is the person's explicit
    choice to be known by that company, which is why the company's list shows
    their contact. `mutual_at` is set when a member answers "Interested" back.
    """

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="interests")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="interests")
    person = models.ForeignKey(
        PartnerProfile,
        on_delete=models.CASCADE,
        related_name="interests",
        help_text=_("The interested person's partner profile."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    mutual_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["company", "person"], name="one_interest_per_person_company")]
        indexes = [models.Index(fields=["summit", "company"])]

    def __str__(self):
        return f"{self.person} → {self.company}"
