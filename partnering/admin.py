from django.contrib import admin

from partnering.models import Meeting, Participation, PartnerProfile


@admin.register(PartnerProfile)
class PartnerProfileAdmin(admin.ModelAdmin):
    list_display = ["__str__", "summit", "organisation", "country", "timezone", "visible"]
    list_filter = ["summit", "visible", "country"]
    search_fields = ["organisation", "user__profile__name", "company__name"]
    raw_id_fields = ["user", "company"]


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    readonly_fields = ["user", "profile", "starts_at", "ends_at", "status"]
    can_delete = False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    """Read-mostly: meetings change through the services, which keep seats and rooms in step."""

    list_display = ["__str__", "summit", "starts_at", "status"]
    list_filter = ["summit", "status"]
    readonly_fields = ["requester", "invitee", "proposed_by", "starts_at", "ends_at", "status", "room", "sequence"]
    inlines = [ParticipationInline]
