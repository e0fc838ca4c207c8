"""The programme: summits, their rooms, tracks, sessions and the people in them."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Read once per process: available_timezones() walks the tz database on disk at every call.
KNOWN_TIMEZONES = frozenset(zoneinfo.available_timezones())


def validate_timezone(value):
    if value not in KNOWN_TIMEZONES:
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Summit(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    tagline = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    organised_with = models.CharField(
        max_length=200, blank=True, help_text=_("Partner organisation running the summit jointly.")
    )
    timezone = models.CharField(max_length=64, default="Europe/Paris", validators=[validate_timezone])
    partner_timezone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_timezone],
        help_text=_("The partner organisation's time zone, shown beside the organisers' own in the editor."),
    )
    languages = models.JSONField(default=list, help_text=_("Language codes the summit runs in."))
    language = models.CharField(
        max_length=10,
        default="en",
        choices=settings.LANGUAGES,
        help_text=_("Main language: what organisers write by default, and shown when a translation is missing."),
    )
    # Stable keys, in the editor's order; profiles and companies store these keys, never a label.
    themes = models.JSONField(default=list, blank=True)
    # {key: {language code: label}}: a theme is content, written in each language (events.i18n.theme_labels).
    theme_names = models.JSONField(default=dict, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    reminder_offsets = models.JSONField(
        default=list, blank=True, help_text=_("Minutes before a session when attendees are reminded.")
    )
    is_published = models.BooleanField(default=True)

    class Meta:
        ordering = ["starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="summit_ends_after_start"),
        ]

    def __str__(self):
        return self.name


class Track(models.Model):
    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="tracks")
    slug = models.SlugField()
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    colour = models.CharField(max_length=7, default="#2f6f9f")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["summit", "slug"], name="track_slug_unique_in_summit")]

    def __str__(self):
        return self.name


class Company(models.Model):
    """A pitching company: the reason a roadshow exists."""

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="companies")
    slug = models.SlugField()
    name = models.CharField(max_length=200)
    tagline = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    country = models.CharField(max_length=2, blank=True)
    website = models.URLField(blank=True)
    themes = models.JSONField(default=list, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="companies")
    logo = models.ImageField(upload_to="logos/", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"
        constraints = [models.UniqueConstraint(fields=["summit", "slug"], name="company_slug_unique_in_summit")]

    def __str__(self):
        return self.name


class Room(models.Model):
    class Kind(models.TextChoices):
        STAGE = "stage", _("Stage")
        PITCH = "pitch", _("Pitch room")
        LOUNGE = "lounge", _("Lounge")
        MEETING = "meeting", _("Meeting room")

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="rooms")
    slug = models.SlugField()
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STAGE)
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="rooms")
    description = models.TextField(blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text=_("How many people the room holds."))
    stream_url = models.URLField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_private = models.BooleanField(default=False, help_text=_("Only invited people may enter."))
    is_moderated = models.BooleanField(default=False, help_text=_("Questions wait for approval."))
    invited = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="invited_rooms")

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["summit", "slug"], name="room_slug_unique_in_summit")]

    def __str__(self):
        return self.name


class Speaker(models.Model):
    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="speakers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="speaker_roles"
    )
    slug = models.SlugField(blank=True, help_text=_("Stable key for imports and the demo; optional."))
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="speakers")
    bio = models.TextField(blank=True)
    photo = models.ImageField(upload_to="speakers/", blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["summit", "slug"], condition=~Q(slug=""), name="speaker_slug_unique_in_summit"
            ),
        ]

    def __str__(self):
        return self.name


# How the schedule says what a session is spoken in, as a phrase that reads right in each language
# ("en anglais", not "en Anglais").
SPOKEN_IN = {"en": _("in English"), "fr": _("in French"), "zh-hans": _("in Chinese")}


class Session(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="sessions")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="sessions")
    track = models.ForeignKey(Track, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions")
    slug = models.SlugField(blank=True, help_text=_("Stable key for imports and the demo; optional."))
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    language = models.CharField(
        max_length=10, default="en", choices=settings.LANGUAGES, help_text=_("The language the session is spoken in.")
    )
    speakers = models.ManyToManyField(Speaker, blank=True, related_name="sessions")
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="pitches")
    stream_url = models.URLField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    sequence = models.PositiveIntegerField(default=0, help_text=_("Bumped on every change, for calendar clients."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "room__position"]
        indexes = [models.Index(fields=["room", "starts_at"]), models.Index(fields=["summit", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"),
            models.UniqueConstraint(
                fields=["summit", "slug"], condition=~Q(slug=""), name="session_slug_unique_in_summit"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def effective_stream_url(self):
        return self.stream_url or self.room.stream_url

    @property
    def spoken_in(self):
        return SPOKEN_IN.get(self.language, self.language)

    @property
    def is_live(self):
        """On now: the schedule offers to join it."""
        now = timezone.now()
        return self.status == self.Status.PUBLISHED and self.starts_at <= now < self.ends_at

    @property
    def is_over(self):
        """Finished: no longer bookmarked, perhaps replayed."""
        return self.ends_at <= timezone.now()


class Profile(models.Model):
    """Who a person is across summits: their name, organisation, language and clock."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=2, blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    language = models.CharField(max_length=10, default="en")

    def __str__(self):
        return self.name


class Registration(models.Model):
    class Role(models.TextChoices):
        ATTENDEE = "attendee", _("Attendee")
        SPEAKER = "speaker", _("Speaker")
        MODERATOR = "moderator", _("Moderator")
        ORGANISER = "organiser", _("Organiser")

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.ATTENDEE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["summit", "user"], name="one_registration_per_summit")]
        indexes = [models.Index(fields=["summit", "role"])]

    def __str__(self):
        return f"{self.user} @ {self.summit}"

    # The roles that run live rooms: they moderate questions and see pending ones.
    ROOM_RUNNERS = (Role.MODERATOR, Role.ORGANISER)


class Bookmark(models.Model):
    """A session in a person's own agenda."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "session"], name="one_bookmark_per_session")]


class AgendaFeed(models.Model):
    """A secret token so calendar apps can read one person's agenda without a cookie."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agenda_feed")
    token = models.CharField(max_length=64, unique=True)


class SigninLink(models.Model):
    """The one mailed sign-in link a person may use now.

    The token itself is django-sesame's (signed, dated, void once the person signs in by any
    means); this row adds what sesame cannot know: that a newer link replaces this one. Asking for
    a link replaces the row, so the digest of an older token no longer matches; using it deletes it.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signin_link")
    summit = models.ForeignKey(Summit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    token_digest = models.CharField(
        max_length=64, blank=True, db_index=True, help_text=_("SHA-256 of the token mailed.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
