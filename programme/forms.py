"""The editor's forms parse what an organiser typed; the rules are the services' (events, programme).

A form turns text into values (a room of this summit, a time in the organiser's zone) and nothing
more: whether a session may go there is decided by events.services, whose error the view puts on
the form.
"""

from django import forms
from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from events.i18n import LANGUAGE_CODES, column, translations
from events.models import Company, Room, Session, Speaker, Track
from events.services import SessionChange

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


def each_language(*fields):
    """The columns of translated `fields`, in form order: name_en, name_fr, name_zh_hans, description_en..."""
    return [column(field, code) for field in fields for code in LANGUAGE_CODES]


class LanguagesSideBySide:
    """Shows each translated field as one group with a box per language, marking the languages missing.

    `translated` maps a field to its label; the form holds that field's columns (`each_language`).
    `main_language` (the summit's) is flagged: it is what readers fall back to.
    """

    translated = {}

    def setup_languages(self, main_language):
        self.main_language = main_language
        self._columns = {}
        for field in self.translated:
            for code in LANGUAGE_CODES:
                name = column(field, code)
                self._columns[name] = field
                self.fields[name].label = get_language_info(code)["name_local"]
                self.fields[name].widget.attrs["lang"] = code

    def languages_of(self, field):
        """One translated field as a group: [{code, name, field, main, missing}, ...]."""
        return {
            "label": self.translated[field],
            "languages": [
                {
                    "code": code,
                    "field": self[column(field, code)],
                    "main": code == self.main_language,
                    "missing": not str(self[column(field, code)].value() or "").strip(),
                }
                for code in LANGUAGE_CODES
            ],
        }

    def layout(self):
        """The form's fields in order, each translated field once, as its group of languages."""
        rows, done = [], set()
        for bound in self:
            field = self._columns.get(bound.name)
            if field is None:
                rows.append({"field": bound})
            elif field not in done:
                done.add(field)
                rows.append(self.languages_of(field))
        return rows

    def texts(self, field):
        return {code: self.cleaned_data[column(field, code)] or "" for code in LANGUAGE_CODES}


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's own date and time picker; the value is wall time in the organiser's zone."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=LOCAL_INPUT)


class SessionForm(LanguagesSideBySide, forms.Form):
    translated = {"title": _("Title"), "description": _("Abstract")}
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none(), to_field_name="slug")
    starts_at = forms.DateTimeField(label=_("Starts"), widget=LocalDateTimeInput(), input_formats=[LOCAL_INPUT])
    ends_at = forms.DateTimeField(label=_("Ends"), widget=LocalDateTimeInput(), input_formats=[LOCAL_INPUT])
    track = forms.ModelChoiceField(
        label=_("Track"), queryset=Track.objects.none(), to_field_name="slug", required=False
    )
    company = forms.ModelChoiceField(
        label=_("Pitching company"), queryset=Company.objects.none(), to_field_name="slug", required=False
    )
    speakers = forms.ModelMultipleChoiceField(
        label=_("Speakers"), queryset=Speaker.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )
    language = forms.ChoiceField(label=_("Language spoken"), choices=settings.LANGUAGES)
    stream_url = forms.URLField(
        label=_("Stream address for this session only"),
        required=False,
        assume_scheme="https",
        help_text=_("Leave empty to use the room's stream."),
    )
    status = forms.ChoiceField(
        label=_("Visibility"),
        choices=[
            (Session.Status.PUBLISHED, _("Published")),
            (Session.Status.DRAFT, _("Draft: organisers only")),
        ],
    )

    def __init__(self, summit, rooms, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code in LANGUAGE_CODES:
            self.fields[column("title", code)] = forms.CharField(max_length=200, required=False)
            self.fields[column("description", code)] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=10000
            )
        self.setup_languages(summit.language)
        self.fields["room"].queryset = rooms
        self.fields["track"].queryset = summit.tracks.all()
        self.fields["company"].queryset = summit.companies.all()
        self.fields["speakers"].queryset = summit.speakers.all()

    def title_languages(self):
        return self.languages_of("title")

    def description_languages(self):
        return self.languages_of("description")

    @classmethod
    def initial_for(cls, session):
        texts = {
            column(field, code): text
            for field in ("title", "description")
            for code, text in translations(session, field).items()
        }
        return {
            **texts,
            "room": session.room,
            "starts_at": session.starts_at,
            "ends_at": session.ends_at,
            "track": session.track,
            "company": session.company,
            "speakers": list(session.speakers.all()),
            "language": session.language,
            "stream_url": session.stream_url,
            "status": Session.Status.PUBLISHED if session.is_cancelled else session.status,
        }

    def change(self, *, keep_status=False):
        """What the organiser asked for, as the SessionChange events.services applies."""
        data = self.cleaned_data
        return SessionChange(
            title=self.texts("title"),
            description=self.texts("description"),
            room=data["room"].slug,
            track=data["track"].slug if data["track"] else "",
            company=data["company"].slug if data["company"] else "",
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            language=data["language"],
            stream_url=data["stream_url"],
            speakers=[speaker.pk for speaker in data["speakers"]],
            status=None if keep_status else data["status"],
        )


class RoomForm(LanguagesSideBySide, forms.ModelForm):
    translated = {"name": _("Name"), "description": _("Description")}

    class Meta:
        model = Room
        fields = [
            *each_language("name"),
            "slug",
            "kind",
            "capacity",
            "company",
            *each_language("description"),
            "stream_url",
            "position",
            "is_private",
            "is_moderated",
        ]
        labels = {
            "slug": _("Short name in the address"),
            "kind": _("Kind of room"),
            "capacity": _("Capacity"),
            "company": _("Pitching company"),
            "stream_url": _("Stream address (embedded player)"),
            "position": _("Order in the list"),
            "is_private": _("Private"),
            "is_moderated": _("Moderated questions"),
        }
        help_texts = {
            "slug": _("Letters, digits and hyphens; made from the name when left empty."),
            "capacity": _("How many people the room holds."),
            "position": _("Rooms are listed from the smallest number up."),
            "is_private": _("Only invited people may enter."),
            "is_moderated": _("Questions wait for approval."),
        }

    def __init__(self, summit, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_languages(summit.language)
        self.fields["slug"].required = False
        self.fields["kind"].choices = [c for c in Room.Kind.choices if c[0] != Room.Kind.MEETING]
        self.fields["company"].queryset = summit.companies.all()


class TrackForm(LanguagesSideBySide, forms.ModelForm):
    translated = {"name": _("Name"), "description": _("Description")}

    class Meta:
        model = Track
        fields = [*each_language("name"), "slug", *each_language("description"), "colour"]
        labels = {"slug": _("Short name in the address"), "colour": _("Colour")}
        widgets = {"colour": forms.TextInput(attrs={"type": "color"})}

    def __init__(self, summit, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_languages(summit.language)
        self.fields["slug"].required = False


class ThemesForm(forms.Form):
    """The summit's themes, one row each with a box per language, and two empty rows for new ones.

    Each row carries its theme's key (hidden), so renaming a theme in any language keeps every
    profile and company that picked it; a row whose boxes are all emptied removes the theme.
    """

    NEW_ROWS = 2

    def __init__(self, summit, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.main_language = summit.language
        self.keys = list(summit.themes) + [""] * self.NEW_ROWS
        for row, key in enumerate(self.keys):
            self.fields[f"key_{row}"] = forms.CharField(widget=forms.HiddenInput, required=False, initial=key)
            names = (summit.theme_names or {}).get(key) or {}
            for code in LANGUAGE_CODES:
                field = forms.CharField(
                    label=get_language_info(code)["name_local"], required=False, max_length=100, initial=names.get(code)
                )
                field.widget.attrs["lang"] = code
                self.fields[column(f"theme_{row}", code)] = field

    def rows(self):
        """For the template: [{key field, [(code, main?, field), ...]}, ...]."""
        return [
            {
                "key": self[f"key_{row}"],
                "languages": [
                    (code, code == self.main_language, self[column(f"theme_{row}", code)]) for code in LANGUAGE_CODES
                ],
            }
            for row in range(len(self.keys))
        ]

    def languages(self):
        return [(code, get_language_info(code)["name_local"], code == self.main_language) for code in LANGUAGE_CODES]

    def theme_rows(self):
        """What the organiser wrote: [{"key": key or "", "names": {code: text}}, ...] in order."""
        return [
            {
                "key": self.cleaned_data[f"key_{row}"],
                "names": {code: self.cleaned_data[column(f"theme_{row}", code)].strip() for code in LANGUAGE_CODES},
            }
            for row in range(len(self.keys))
        ]


class SpeakerForm(LanguagesSideBySide, forms.ModelForm):
    translated = {"title": _("Job title"), "bio": _("Biography")}
    photo_upload = forms.FileField(
        label=_("Photo (PNG, JPEG or WebP)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )

    class Meta:
        model = Speaker
        fields = ["name", *each_language("title"), "organisation", "company", *each_language("bio")]
        labels = {"name": _("Name"), "organisation": _("Organisation"), "company": _("Pitching company")}

    def __init__(self, summit, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_languages(summit.language)
        self.fields["company"].queryset = summit.companies.all()


class CompanyForm(LanguagesSideBySide, forms.ModelForm):
    translated = {"name": _("Name"), "tagline": _("Tagline"), "description": _("Description")}
    member_emails = forms.CharField(
        label=_("Members' email addresses, one per line"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
        help_text=_("Members present the company's pitches and see its leads."),
    )
    logo_upload = forms.FileField(
        label=_("Logo (PNG, JPEG or WebP)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )

    class Meta:
        model = Company
        fields = [*each_language("name"), "slug", *each_language("tagline", "description"), "country", "website"]
        labels = {"slug": _("Short name in the address"), "country": _("Country"), "website": _("Website")}
        help_texts = {"country": _("Two-letter code, such as FR or CN.")}

    def __init__(self, summit, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_languages(summit.language)
        self.fields["slug"].required = False
        if self.instance.pk and not self.is_bound:
            self.initial["member_emails"] = "\n".join(self.instance.members.values_list("email", flat=True))

    def emails(self):
        return self.cleaned_data["member_emails"].splitlines()
