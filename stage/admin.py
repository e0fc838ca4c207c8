from django.contrib import admin

from stage.models import Channel, Recording, RestreamTarget


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    """Organisers set a language's embedded player here; keys are rotated from the Go live page."""

    list_display = ["room", "language", "public_name", "live_since", "embed_url"]
    list_filter = ["room__summit", "language"]
    fields = ["room", "language", "public_name", "embed_url", "live_since"]
    readonly_fields = ["room", "language", "public_name", "live_since"]


@admin.register(Recording)
class RecordingAdmin(admin.ModelAdmin):
    list_display = ["room", "session", "language", "started_at", "duration_s", "status", "is_hidden"]
    list_filter = ["room__summit", "status", "is_hidden"]
    list_editable = ["is_hidden"]
    readonly_fields = [
        "room",
        "session",
        "language",
        "public_name",
        "slug",
        "started_at",
        "ended_at",
        "duration_s",
        "source_path",
        "status",
    ]


@admin.register(RestreamTarget)
class RestreamTargetAdmin(admin.ModelAdmin):
    """Read-only here: added and removed on the Go live page or the API, which re-render the media server."""

    list_display = ["room", "url", "created_at"]
    readonly_fields = ["room", "url", "stream_key", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
