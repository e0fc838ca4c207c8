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

from calls.models import CallSeat
from events.models import AgendaFeed, Bookmark, Company, Profile, Registration, Room, SigninLink, Speaker
from judging.models import Juror, PeoplesChoice, Scorecard
from livechat.attendance_totals import do_forget_attendance
from livechat.models import (
    Attendance,
    ChatMessage,
    Poll,
    PollBallot,
    Question,
    QuestionVote,
    RoomEvent,
    RoomMute,
    WatchTime,
)
from livechat.services import DELETED_AUTHOR
from partnering.models import ContactSharing, Interest, PartnerProfile
from partnering.services import meeting_out, meetings_of
from scheduler.models import NoticeSetting, Notification, Reminder
from summit.errors import Forbidden

User = get_user_model()

# Every relation from a record to a person (their account, profile or partner profile) and the section of
# the export that holds it, or why it is left out: tests/test_privacy.py fails on a relation in neither,
# so a new model that keeps something about people cannot be forgotten here.
EXPORTED = {
    "auth.User_groups.user": "account",
    "auth.User_user_permissions.user": "account",
    "events.Profile.user": "profile",
    "events.Registration.user": "registrations",
    "events.Bookmark.user": "agenda",
    "events.AgendaFeed.user": "agenda_feed",
    "events.SigninLink.user": "signin_link",
    "events.Speaker.user": "speaker_profiles",
    "events.Company_members.user": "company_memberships",
    "events.Room_invited.user": "room_invitations",
    "livechat.ChatMessage.author": "chat_messages",
    "livechat.ChatMessage.deleted_by": "moderation",
    "livechat.Question.author": "questions",
    "livechat.QuestionVote.user": "question_votes",
    "livechat.Attendance.user": "room_visits",
    "livechat.WatchTime.user": "watch_times",
    "livechat.RoomMute.user": "room_mutes",
    "livechat.RoomMute.muted_by": "moderation",
    "livechat.Poll.author": "polls",
    "livechat.PollBallot.user": "poll_ballots",
    "scheduler.Reminder.user": "reminders",
    "scheduler.Notification.user": "notifications",
    "scheduler.NoticeSetting.user": "notice_settings",
    "partnering.PartnerProfile.user": "partnering_profiles",
    "partnering.Meeting.requester": "meetings",
    "partnering.Meeting.invitee": "meetings",
    "partnering.Meeting.proposed_by": "meetings",
    "partnering.Participation.user": "meetings",
    "partnering.Participation.profile": "meetings",
    "calls.CallSeat.user": "meeting_calls",
    "partnering.ContactSharing.user": "contact_sharing",
    "partnering.Interest.person": "company_interests",
    "partnering.Interest.answered_by": "interests_answered",
    "judging.Juror.user": "jury_seats",
    "judging.Scorecard.juror": "scorecards",
    "judging.PeoplesChoice.user": "peoples_choice",
}
NOT_EXPORTED = {
    "admin.LogEntry.user": "the admin site's journal of what staff changed in others' records",
}


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
            "staff": user.is_staff,
            "groups": sorted(user.groups.values_list("name", flat=True)),
            "permissions": sorted(user.user_permissions.values_list("codename", flat=True)),
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
        "meeting_calls": [
            {"meeting_id": seat.meeting_id, "joined_at": _when(seat.joined_at), "left_at": _when(seat.left_at)}
            for seat in CallSeat.objects.filter(user=user).order_by("joined_at")
        ],
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
        "agenda_feed": {"subscribed": AgendaFeed.objects.filter(user=user).exists()},
        "signin_link": [
            {"summit": link.summit.slug if link.summit else None, "asked_at": _when(link.created_at)}
            for link in SigninLink.objects.filter(user=user).select_related("summit")
        ],
        "speaker_profiles": [
            {
                "summit": sp.summit.slug,
                "name": sp.name,
                "title": sp.title,
                "organisation": sp.organisation,
                "bio": sp.bio,
            }
            for sp in Speaker.objects.filter(user=user).select_related("summit")
        ],
        "company_memberships": [
            {"summit": c.summit.slug, "company": c.slug, "name": c.name}
            for c in Company.objects.filter(members=user).select_related("summit")
        ],
        "room_invitations": [
            {"summit": r.summit.slug, "room": r.slug}
            for r in Room.objects.filter(invited=user).select_related("summit")
        ],
        "question_votes": [
            {"summit": v.question.room.summit.slug, "room": v.question.room.slug, "question": v.question_id}
            for v in QuestionVote.objects.filter(user=user).select_related("question__room__summit")
        ],
        "watch_times": [
            {"summit": w.session.summit.slug, "session": w.session_id, "seconds": round(w.seconds)}
            for w in WatchTime.objects.filter(user=user).select_related("session__summit")
        ],
        "room_mutes": [
            {"summit": m.room.summit.slug, "room": m.room.slug, "until": _when(m.until)}
            for m in RoomMute.objects.filter(user=user).select_related("room__summit")
        ],
        "polls": [
            {
                "summit": p.room.summit.slug,
                "room": p.room.slug,
                "question": p.question,
                "question_i18n": p.question_i18n,  # every language it was written in
                "asked_at": _when(p.created_at),
            }
            for p in Poll.objects.filter(author=user).select_related("room__summit")
        ],
        "poll_ballots": [
            {
                "summit": b.poll.room.summit.slug,
                "room": b.poll.room.slug,
                "question": b.poll.question,
                "chosen": [choice.option.label for choice in b.choices.all()],
                "voted_at": _when(b.updated_at),
            }
            for b in PollBallot.objects.filter(user=user)
            .select_related("poll__room__summit")
            .prefetch_related("choices__option")
        ],
        "moderation": {
            "messages_deleted": [
                {"summit": m.room.summit.slug, "room": m.room.slug, "message": m.pk, "deleted_at": _when(m.deleted_at)}
                for m in ChatMessage.objects.filter(deleted_by=user).select_related("room__summit")
            ],
            "mutes_set": [
                {"summit": m.room.summit.slug, "room": m.room.slug, "until": _when(m.until)}
                for m in RoomMute.objects.filter(muted_by=user).select_related("room__summit")
            ],
        },
        "reminders": [
            {
                "about": r.source,
                "target": r.target_id,
                "kind": r.kind,
                "minutes_before": r.offset_minutes,
                "due_at": _when(r.due_at),
                "status": r.status,
                "sent_at": _when(r.sent_at),
            }
            for r in Reminder.objects.filter(user=user).order_by("due_at")
        ],
        "notifications": [
            {
                "kind": n.kind,
                "title": n.title,
                "body": n.body,
                "url": n.url,
                "created_at": _when(n.created_at),
                "read_at": _when(n.read_at),
                "mailed_at": _when(n.mailed_at),
            }
            for n in Notification.objects.filter(user=user).order_by("created_at")
        ],
        "notice_settings": [{"by_mail": n.by_mail} for n in NoticeSetting.objects.filter(user=user)],
        "company_interests": [
            {
                "summit": i.summit.slug,
                "company": i.company.slug,
                "name": i.company.name,
                "shared_with_the_company": ["name", "organisation", "country", "email"],
                "interested_at": _when(i.created_at),
                "mutual_at": _when(i.mutual_at),
            }
            for i in Interest.objects.filter(person__user=user).select_related("summit", "company")
        ],
        "interests_answered": [
            {"summit": i.summit.slug, "company": i.company.slug, "answered_at": _when(i.mutual_at)}
            for i in Interest.objects.filter(answered_by=user).select_related("summit", "company")
        ],
        "jury_seats": [{"summit": j.summit.slug} for j in Juror.objects.filter(user=user).select_related("summit")],
        "scorecards": [
            {
                "summit": c.session.summit.slug,
                "session": c.session_id,
                "title": c.session.title,
                "scores": c.scores,
                "comment": c.comment,
                "status": c.status,
                "updated_at": _when(c.updated_at),
            }
            for c in Scorecard.objects.filter(juror=user).select_related("session__summit")
        ],
        "peoples_choice": [
            {
                "summit": v.summit.slug,
                "session": v.session_id,
                "title": v.session.title,
                "chosen_at": _when(v.updated_at),
            }
            for v in PeoplesChoice.objects.filter(user=user).select_related("summit", "session")
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
