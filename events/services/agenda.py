"""A person's agenda: bookmarks and the private calendar feed."""

import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from events.models import (
    AgendaFeed,
    Bookmark,
    Session,
)
from events.services.access import check_registered, check_signed_in
from events.signals import bookmark_changed
from summit.errors import Conflict, NotFound


def do_bookmark(user, session):
    check_registered(user, session.summit)
    if session.status == Session.Status.CANCELLED:
        raise Conflict(_("This session has been cancelled."))
    if session.is_over:
        raise Conflict(_("This session is over."))
    _bookmark, created = Bookmark.objects.get_or_create(user=user, session=session)
    if created:
        transaction.on_commit(
            lambda: bookmark_changed.send(Bookmark, user_id=user.pk, session_id=session.pk, added=True)
        )
    return created


def do_unbookmark(user, session):
    check_signed_in(user)
    deleted, _rows = Bookmark.objects.filter(user=user, session=session).delete()
    if deleted:
        transaction.on_commit(
            lambda: bookmark_changed.send(Bookmark, user_id=user.pk, session_id=session.pk, added=False)
        )
    return bool(deleted)


def agenda(user, summit=None):
    sessions = Session.objects.filter(bookmarks__user=user).exclude(status=Session.Status.DRAFT)
    if summit is not None:
        sessions = sessions.filter(summit=summit)
    return (
        sessions.select_related("room", "summit", "track", "company").prefetch_related("speakers").order_by("starts_at")
    )


def bookmarked_ids(user, summit):
    if not user.is_authenticated:
        return set()
    return set(Bookmark.objects.filter(user=user, session__summit=summit).values_list("session_id", flat=True))


def do_ensure_agenda_feed(user):
    """The token of the person's private calendar feed, made the first time they ask for their feed."""
    feed, _created = AgendaFeed.objects.get_or_create(user=user, defaults={"token": secrets.token_urlsafe(32)})
    return feed.token


def access_agenda_feed(token):
    feed = AgendaFeed.objects.select_related("user").filter(token=token).first()
    if feed is None:
        raise NotFound(_("No such calendar feed."))
    return feed.user
