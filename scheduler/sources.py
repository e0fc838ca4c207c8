"""Reminder sources: what can be reminded of, and who is to be reminded.

The scheduler knows nothing about sessions or meetings; it asks the sources that
answer `scheduler.signals.reminder_sources`; the `session` source below is the
first. A later app (partnering's 1:1 meetings) adds its own in its `ready()`:

    MEETINGS = MeetingSource()
    reminder_sources.connect(lambda **signal: MEETINGS, weak=False, dispatch_uid="partnering.reminders")

and enqueues `scheduler.replan_target("meeting", meeting.pk)` when a meeting
moves, `scheduler.cancel_target("meeting", meeting.pk)` when it is cancelled
(scheduler.enqueue).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import DateTimeField, ExpressionWrapper, F
from django.urls import reverse

from events.calendar import site_url
from scheduler.signals import reminder_sources

# Minutes before a target that reminders go out, unless its summit says otherwise.
DEFAULT_OFFSETS = [24 * 60, 15]


@dataclass(frozen=True)
class Plan:
    """One reminder to insert: recipient `user_id` of `target_id`, due at `starts_at - offset`."""

    target_id: int
    user_id: int
    role: str
    starts_at: dt.datetime


@dataclass
class Target:
    """What a reminder is about, as it stands now (re-read at send time, never cached)."""

    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    summit_name: str
    place: str
    url: str
    cancelled: bool
    # False when the recipient no longer belongs to the audience (bookmark removed, speaker changed).
    for_recipient: bool
    # Lines the mail adds as they are, e.g. a meeting's "the clocks change before this meeting".
    notes: list = field(default_factory=list)


class ReminderSource:
    """Base of a source. Subclasses set `name` and implement the four methods."""

    name = ""

    def offsets_by_scope(self, now):
        """{offset_minutes: [scope ids]}: which offsets apply where (e.g. per summit)."""
        raise NotImplementedError

    def due_plans(self, offset, scope_ids, lo, hi):
        """Plans for targets starting in (lo, hi] whose reminder at `offset` is due now; set-based."""
        raise NotImplementedError

    def recipients(self, target_id):
        """[(user_id, role)] of everyone to tell about a change to this target."""
        raise NotImplementedError

    def describe(self, target_id, user_id, role):
        """The target's Target as of now, or None when it no longer exists."""
        raise NotImplementedError


def all_sources():
    return unique_by_name(reminder_sources.parts(), "reminder source")


def get_source(name):
    return next(source for source in all_sources() if source.name == name)


def unique_by_name(sources, kind):
    names = [source.name for source in sources]
    if len(names) != len(set(names)):
        raise RuntimeError(f"two {kind}s share a name: {sorted(names)}")
    return sources


def summit_offsets(now):
    """{offset_minutes: [summit ids]} of summits still running or to come, from `Summit.reminder_offsets`.

    Shared by every source whose targets belong to a summit, so sessions and
    meetings of one summit are reminded at the same offsets.
    """
    from events.models import Summit

    scopes = {}
    # A summit ends on its `ends_on` day in any time zone.
    summits = Summit.objects.filter(ends_on__gte=(now - dt.timedelta(days=2)).date())
    for summit_id, offsets in summits.values_list("pk", "reminder_offsets"):
        for offset in offsets or DEFAULT_OFFSETS:
            scopes.setdefault(int(offset), []).append(summit_id)
    return scopes


def room_link(summit_slug, room_slug):
    return site_url(reverse("room", args=[summit_slug, room_slug]))


class SessionSource(ReminderSource):
    """Sessions of the programme: attendees who bookmarked them, their speakers and pitching company."""

    name = "session"

    def offsets_by_scope(self, now):
        return summit_offsets(now)

    def due_plans(self, offset, scope_ids, lo, hi):
        from events.models import Bookmark, Company, Session

        window = {
            "summit_id__in": scope_ids,
            "status": Session.Status.PUBLISHED,
            "starts_at__gt": lo,
            "starts_at__lte": hi,
        }
        sessions = Session.objects.filter(**window)

        def via(prefix):
            return {f"{prefix}__{key}": value for key, value in window.items()}

        speakers = Session.speakers.through.objects.filter(**via("session"), speaker__user__isnull=False).values_list(
            "session_id", "speaker__user_id", "session__starts_at"
        )
        members = Company.members.through.objects.filter(**via("company__pitches")).values_list(
            "company__pitches__id", "user_id", "company__pitches__starts_at"
        )
        # A bookmark made after the reminder's time gets nothing for that offset: it would arrive late.
        reminder_time = ExpressionWrapper(
            F("session__starts_at") - dt.timedelta(minutes=offset), output_field=DateTimeField()
        )
        bookmarks = Bookmark.objects.filter(session__in=sessions, created_at__lte=reminder_time).values_list(
            "session_id", "user_id", "session__starts_at"
        )
        # Speakers and company members first: one row per person and session, the most specific role.
        for role, rows in (("speaker", speakers), ("company", members), ("attendee", bookmarks)):
            for session_id, user_id, starts_at in rows.iterator(chunk_size=2000):
                yield Plan(session_id, user_id, role, starts_at)

    def recipients(self, target_id):
        from events.models import Bookmark, Company, Session

        people = {}
        for user_id in Session.speakers.through.objects.filter(
            session_id=target_id, speaker__user__isnull=False
        ).values_list("speaker__user_id", flat=True):
            people.setdefault(user_id, "speaker")
        for user_id in Company.members.through.objects.filter(company__pitches__id=target_id).values_list(
            "user_id", flat=True
        ):
            people.setdefault(user_id, "company")
        for user_id in Bookmark.objects.filter(session_id=target_id).values_list("user_id", flat=True):
            people.setdefault(user_id, "attendee")
        return list(people.items())

    def describe(self, target_id, user_id, role):
        from events.i18n import summit_fallback
        from events.models import Bookmark, Session

        session = Session.objects.select_related("summit", "room", "company").filter(pk=target_id).first()
        if session is None:
            return None
        if role == "speaker":
            for_recipient = session.speakers.filter(user_id=user_id).exists()
        elif role == "company":
            for_recipient = session.company is not None and session.company.members.filter(pk=user_id).exists()
        else:
            for_recipient = Bookmark.objects.filter(session=session, user_id=user_id).exists()
        with summit_fallback(session.summit):
            return Target(
                title=session.title,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                summit_name=session.summit.name,
                place=session.room.name,
                url=room_link(session.summit.slug, session.room.slug),
                cancelled=session.status != Session.Status.PUBLISHED,
                for_recipient=for_recipient,
            )
