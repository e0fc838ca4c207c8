"""Look-ups and permissions: which summit, room or session a request means, and who may act on it.

`access_*` look up and check, raising `summit.errors` (404, 403); `check_*` refuse; neither writes."""

from django.utils.translation import gettext as _

from events.i18n import use_summit_fallback
from events.models import (
    Registration,
    Room,
    Session,
    Summit,
)
from summit.errors import Forbidden, NotFound, NotSignedIn


def access_summit(slug):
    """The published summit `slug`. What is read of it afterwards (in this request or task) falls back
    to its main language where a translation is missing."""
    try:
        summit = Summit.objects.get(slug=slug, is_published=True)
    except Summit.DoesNotExist:
        raise NotFound(_("No summit called “%(slug)s”.") % {"slug": slug}) from None
    use_summit_fallback(summit)
    return summit


def access_room(summit, room_slug):
    try:
        return Room.objects.select_related("summit", "company").get(summit=summit, slug=room_slug)
    except Room.DoesNotExist:
        raise NotFound(_("No room called “%(slug)s” in this summit.") % {"slug": room_slug}) from None


def access_session(session_id, *, include_unpublished=False):
    sessions = Session.objects.select_related("summit", "room", "track", "company")
    if not include_unpublished:
        sessions = sessions.exclude(status=Session.Status.DRAFT)
    try:
        return sessions.get(pk=session_id)
    except Session.DoesNotExist:
        raise NotFound(_("No such session.")) from None


def registration_for(user, summit):
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(summit=summit, user=user).first()


def role_in(user, summit):
    """The person's role in this summit, the one definition every app asks: their registration's
    role, ORGANISER for the platform's superusers, None for anyone not registered (or signed out).

    Django's `is_staff` flag only opens the admin site; it gives no role in a summit.
    """
    return roles_in([user], summit)[user.pk]


def roles_in(users, summit):
    """`role_in` for several people at once, {user pk: role}: one query whatever their number (a join storm)."""
    registered = [user.pk for user in users if user.is_authenticated and not user.is_superuser]
    roles = dict(
        Registration.objects.filter(summit=summit, user_id__in=registered).values_list("user_id", "role")
        if registered
        else ()
    )
    return {
        user.pk: (Registration.Role.ORGANISER if user.is_superuser else roles.get(user.pk))
        if user.is_authenticated
        else None
        for user in users
    }


def is_organiser(user, summit):
    return role_in(user, summit) == Registration.Role.ORGANISER


def check_signed_in(user):
    if not user.is_authenticated:
        raise NotSignedIn(_("Sign in first."))


def check_organiser(user, summit):
    check_signed_in(user)
    if not is_organiser(user, summit):
        raise Forbidden(_("Only the summit's organisers may do this."))


def check_registered(user, summit):
    check_signed_in(user)
    if role_in(user, summit) is None:
        raise Forbidden(_("Register for this summit first."))
