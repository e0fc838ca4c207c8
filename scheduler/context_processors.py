"""The unread-notification count every page's navigation shows, counted only when a page shows it."""

from django.utils.functional import SimpleLazyObject

from scheduler.notices import unread_count


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user.pk))}
