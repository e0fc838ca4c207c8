from django.contrib import admin

from events.models import Company, Profile, Registration, Room, Session, Speaker, Summit, Track


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0
    fields = ["slug", "name", "kind", "company", "position", "is_private", "is_moderated"]


class TrackInline(admin.TabularInline):
    model = Track
    extra = 0


@admin.register(Summit)
class SummitAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "starts_on", "ends_on", "timezone", "is_published"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TrackInline, RoomInline]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "summit", "room", "starts_at", "ends_at", "status"]
    list_filter = ["summit", "status", "room__kind"]
    search_fields = ["title"]
    filter_horizontal = ["speakers"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "summit", "country"]
    filter_horizontal = ["members"]


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "summit"]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["user", "summit", "role", "created_at"]
    list_filter = ["summit", "role"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "country", "timezone", "language"]
