"""The editor's forms parse what an organiser typed; the rules are the services' (events, programme).

A form turns text into values (a room of this summit, a time in the organiser's zone) and nothing
more: whether a session may go there is decided by events.services, whose error the view puts on
the form.
"""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from events.models import Company, Room, Session, Speaker, Track
from events.services import SessionChange

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's own date and time picker; the value is wall time in the organiser's zone."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=LOCAL_INPUT)


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Abstract"), widget=forms.Textarea(attrs={"rows": 5}), required=False,
                                  max_length=10000)
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none(), to_field_name="slug")
    starts_at = forms.DateTimeField(label=_("Starts"), widget=LocalDateTimeInput(), input_formats=[LOCAL_INPUT])
    ends_at = forms.DateTimeField(label=_("Ends"), widget=LocalDateTimeInput(), input_formats=[LOCAL_INPUT])
    track = forms.ModelChoiceField(label=_("Track"), queryset=Track.objects.none(), to_field_name="slug",
                                   required=False)
    company = forms.ModelChoiceField(label=_("Pitching company"), queryset=Company.objects.none(),
                                     to_field_name="slug", required=False)
    speakers = forms.ModelMultipleChoiceField(label=_("Speakers"), queryset=Speaker.objects.none(),
                                              widget=forms.CheckboxSelectMultiple, required=False)
    language = forms.ChoiceField(label=_("Language spoken"), choices=settings.LANGUAGES)
    stream_url = forms.URLField(label=_("Stream address for this session only"), required=False,
                                assume_scheme="https",
                                help_text=_("Leave empty to use the room's stream."))
    status = forms.ChoiceField(label=_("Visibility"), choices=[
        (Session.Status.PUBLISHED, _("Published")), (Session.Status.DRAFT, _("Draft: organisers only")),
    ])

    def __init__(self, summit, rooms, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms
        self.fields["track"].queryset = summit.tracks.all()
        self.fields["company"].queryset = summit.companies.all()
        self.fields["speakers"].queryset = summit.speakers.all()

    @classmethod
    def initial_for(cls, session):
        return {
            "title": session.title, "description": session.description, "room": session.room,
            "starts_at": session.starts_at, "ends_at": session.ends_at, "track": session.track,
            "company": session.company, "speakers": list(session.speakers.all()), "language": session.language,
            "stream_url": session.stream_url,
            "status": Session.Status.PUBLISHED if session.is_cancelled else session.status,
        }

    def change(self, *, keep_status=False):
        """What the organiser asked for, as the SessionChange events.services applies."""
        data = self.cleaned_data
        return SessionChange(
            title=data["title"], description=data["description"], room=data["room"].slug,
            track=data["track"].slug if data["track"] else "", company=data["company"].slug if data["company"] else "",
            starts_at=data["starts_at"], ends_at=data["ends_at"], language=data["language"],
            stream_url=data["stream_url"], speakers=[speaker.pk for speaker in data["speakers"]],
            status=None if keep_status else data["status"],
        )


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "slug", "kind", "capacity", "company", "description", "stream_url", "position",
                  "is_private", "is_moderated"]
        labels = {"slug": _("Short name in the address"), "stream_url": _("Stream address (embedded player)")}
        help_texts = {"slug": _("Letters, digits and hyphens; made from the name when left empty.")}

    def __init__(self, summit, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["kind"].choices = [c for c in Room.Kind.choices if c[0] != Room.Kind.MEETING]
        self.fields["company"].queryset = summit.companies.all()


class TrackForm(forms.ModelForm):
    class Meta:
        model = Track
        fields = ["name", "slug", "colour"]
        labels = {"slug": _("Short name in the address")}
        widgets = {"colour": forms.TextInput(attrs={"type": "color"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False


class ThemesForm(forms.Form):
    themes = forms.CharField(label=_("Themes, one per line"), widget=forms.Textarea(attrs={"rows": 6}),
                             required=False, max_length=5000)

    def theme_list(self):
        return self.cleaned_data["themes"].splitlines()


class SpeakerForm(forms.ModelForm):
    photo_upload = forms.FileField(label=_("Photo (PNG, JPEG or WebP)"), required=False,
                                   widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}))

    class Meta:
        model = Speaker
        fields = ["name", "title", "organisation", "company", "bio"]
        labels = {"title": _("Job title")}

    def __init__(self, summit, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = summit.companies.all()


class CompanyForm(forms.ModelForm):
    member_emails = forms.CharField(
        label=_("Members' email addresses, one per line"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
        max_length=5000, help_text=_("Members present the company's pitches and see its leads."),
    )
    logo_upload = forms.FileField(label=_("Logo (PNG, JPEG or WebP)"), required=False,
                                  widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}))

    class Meta:
        model = Company
        fields = ["name", "slug", "tagline", "description", "country", "website"]
        labels = {"slug": _("Short name in the address")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        if self.instance.pk and not self.is_bound:
            self.initial["member_emails"] = "\n".join(self.instance.members.values_list("email", flat=True))

    def emails(self):
        return self.cleaned_data["member_emails"].splitlines()
