"""Read-mostly views for operators: what was planned, sent or skipped, and why."""

from django.contrib import admin

from scheduler.models import Notification, Reminder, SummitReport


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "source",
        "target_id",
        "user",
        "kind",
        "offset_minutes",
        "role",
        "due_at",
        "status",
        "attempts",
        "sent_at",
        "skip_reason",
    ]
    list_filter = ["status", "kind", "source", "role"]
    search_fields = ["user__email"]
    readonly_fields = [field.name for field in Reminder._meta.fields]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["pk", "user", "kind", "title", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["user__email", "title"]


@admin.register(SummitReport)
class SummitReportAdmin(admin.ModelAdmin):
    list_display = ["pk", "summit", "key", "status", "generation", "generated_at", "mailed_at"]
    list_filter = ["status", "key"]
    exclude = ["data", "csv"]
