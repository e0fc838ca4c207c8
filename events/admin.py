from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from events import services
from events.models import Company, Profile, Registration, Room, Session, Speaker, Summit, Track
from summit.errors import Invalid


class RoomInline(TranslationTabularInline):
    model = Room
    extra = 0
    fields = ["slug", "name", "kind", "company", "position", "is_private", "is_moderated"]


class TrackInline(TranslationTabularInline):
    model = Track
    extra = 0


@admin.register(Summit)
class SummitAdmin(TranslationAdmin):
    list_display = ["name", "slug", "starts_on", "ends_on", "timezone", "language", "is_published"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TrackInline, RoomInline]


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        exclude = ["sequence"]  # noqa: DJ006  (every other field, translations included: the admin edits them all)

    def clean(self):
        """The same rules as the API: ends after it starts, no overlap in the room."""
        data = super().clean()
        room, starts_at, ends_at = data.get("room"), data.get("starts_at"), data.get("ends_at")
        if room and starts_at and ends_at:
            try:
                services.check_session_times(starts_at, ends_at)
                if data.get("status") != Session.Status.CANCELLED:
                    services.check_no_overlap(room, starts_at, ends_at, exclude_id=self.instance.pk)
            except Invalid as error:
                raise ValidationError(error.detail) from None
        return data


@admin.register(Session)
class SessionAdmin(TranslationAdmin):
    form = SessionForm
    list_display = ["title", "summit", "room", "starts_at", "ends_at", "status"]
    list_filter = ["summit", "status", "room__kind"]
    search_fields = ["title"]
    filter_horizontal = ["speakers"]

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = None
            if change:
                before = services.session_timing(Session.objects.select_for_update().get(pk=obj.pk))
            services.save_session(obj, before)


@admin.register(Company)
class CompanyAdmin(TranslationAdmin):
    list_display = ["name", "summit", "country"]
    filter_horizontal = ["members"]


@admin.register(Speaker)
class SpeakerAdmin(TranslationAdmin):
    list_display = ["name", "organisation", "summit"]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["user", "summit", "role", "created_at"]
    list_filter = ["summit", "role"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "country", "timezone", "language"]
