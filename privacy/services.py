"""A person's own data: all of it as JSON, or the account deleted.

This app sits on top of the others (it reads every app's records of a person; none imports it).
Deleting keeps what the person said in rooms, since others' replies and votes refer to it, but
shown as "deleted user"; everything that names or profiles them goes: their profile, partnering
cards, leads (room visits), registrations, agenda, consents, notifications, and every session
they had open is signed out.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from events.models import AgendaFeed, Bookmark, Company, Profile, Registration, Room, SigninLink, Speaker
from livechat.models import Attendance, ChatMessage, Question, RoomEvent
from livechat.attendance_totals import do_forget_attendance
from livechat.services import DELETED_AUTHOR
from partnering.models import ContactSharing, PartnerProfile
from partnering.services import meeting_out, meetings_of
from scheduler.models import Notification, Reminder
from summit.errors import Forbidden

User = get_user_model()


def _when(value):
    return value.isoformat() if value else None


def export(user):
    """Everything the platform holds about `user`, as plain JSON-ready data."""
    profile = Profile.objects.filter(user=user).first()
    return {
        "account": {
            "username": user.get_username(),
            "email": user.email,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
        },
        "profile": profile
        and {
            "name": profile.name,
            "organisation": profile.organisation,
            "country": profile.country,
            "timezone": profile.timezone,
            "language": profile.language,
        },
        "registrations": [
            {"summit": r.summit.slug, "role": r.role, "registered_at": _when(r.created_at)}
            for r in Registration.objects.filter(user=user).select_related("summit").order_by("created_at")
        ],
        "agenda": [
            {
                "summit": b.session.summit.slug,
                "session": b.session.pk,
                "title": b.session.title,
                "starts_at": _when(b.session.starts_at),
                "ends_at": _when(b.session.ends_at),
            }
            for b in Bookmark.objects.filter(user=user).select_related("session__summit").order_by("session__starts_at")
        ],
        "chat_messages": [
            {"summit": m.room.summit.slug, "room": m.room.slug, "body": m.body, "sent_at": _when(m.created_at)}
            for m in ChatMessage.objects.filter(author=user).select_related("room__summit").order_by("created_at")
        ],
        "questions": [
            {
                "summit": q.room.summit.slug,
                "room": q.room.slug,
                "body": q.body,
                "anonymous": q.is_anonymous,
                "status": q.status,
                "asked_at": _when(q.created_at),
            }
            for q in Question.objects.filter(author=user).select_related("room__summit").order_by("created_at")
        ],
        "room_visits": [
            {
                "summit": a.room.summit.slug,
                "room": a.room.slug,
                "joined_at": _when(a.joined_at),
                "left_at": _when(a.left_at),
            }
            for a in Attendance.objects.filter(user=user).select_related("room__summit").order_by("joined_at")
        ],
        "meetings": [_plain(meeting_out(m, user)) for m in meetings_of(user)],
        "partnering_profiles": [
            {
                "summit": p.summit.slug,
                "organisation": p.organisation,
                "country": p.country,
                "city": p.city,
                "timezone": p.timezone,
                "office_hours": {
                    "start": p.office_start.isoformat(timespec="minutes"),
                    "end": p.office_end.isoformat(timespec="minutes"),
                    "weekdays": p.office_weekdays,
                },
                "themes": p.themes,
                "offers": p.offers,
                "seeks": p.seeks,
                "about": p.about,
                "visible": p.visible,
            }
            for p in PartnerProfile.objects.filter(user=user).select_related("summit")
        ],
        "contact_sharing": [
            {
                "summit": c.summit.slug,
                "company": c.company.slug if c.company else None,
                "shared": c.shared,
                "chosen_at": _when(c.updated_at),
            }
            for c in ContactSharing.objects.filter(user=user).select_related("summit", "company")
        ],
    }


def _plain(value):
    """Dates and times in ISO 8601, so the export is JSON as it is."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def check_deletion_confirmed(user, typed):
    """The person typed their own email (or username, for an account without one): no password needed,
    so people who sign in with mailed links can delete their account too."""
    expected = (user.email or user.get_username()).strip().lower()
    if (typed or "").strip().lower() != expected:
        raise Forbidden(_("Type your email address exactly to confirm that the account should be deleted."))


def do_delete_account(user, typed):
    """Deletes everything that names or profiles `user`; what they wrote in rooms stays as "deleted user"."""
    check_deletion_confirmed(user, typed)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        mine = RoomEvent.objects.filter(
            type__in=["chat.message", "question.created", "question.updated"], payload__author__id=user.pk
        )
        for event in mine:
            event.payload = {**event.payload, "author": dict(DELETED_AUTHOR)}
            if "_author_id" in event.payload:
                event.payload["_author_id"] = None
            event.save(update_fields=["payload"])
        for model in (
            Profile,
            Registration,
            Bookmark,
            AgendaFeed,
            SigninLink,
            PartnerProfile,
            ContactSharing,
            Notification,
            Reminder,
        ):
            model.objects.filter(user=user).delete()
        do_forget_attendance(user.pk)  # their intervals, and their part of the attendance report's totals
        Speaker.objects.filter(user=user).update(user=None)
        Company.members.through.objects.filter(user=user).delete()
        Room.invited.through.objects.filter(user=user).delete()
        user.username = f"deleted-{user.pk}"
        user.email = user.first_name = user.last_name = ""
        user.is_active = user.is_staff = user.is_superuser = False
        user.set_unusable_password()  # a new password hash: every session it had open is signed out
        user.save()
    return user
