"""Accepted 1:1 meetings as a reminder source: both people are reminded like a session's audience.

The scheduler plans, claims and sends exactly once (docs/scheduler.md); this
module only tells it which meetings are due, who sits in them and how each
person sees them. A person's view comes from `services.reminder_targets`,
measured from the moment the meeting was requested, so the mail warns when a
clock change falls between the booking and the meeting (a time noted down at
booking would then be an hour off).

Only accepted meetings are reminded. Moving a meeting (a new proposal) moves
its pending reminders; they go out only if it is accepted again by then.
Cancelling a meeting that had been confirmed tells both people once; a
declined request tells nobody (the answer already did).
"""

import zoneinfo

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from events.calendar import site_url
from events.services import profile_for
from partnering import services
from partnering.models import Meeting, Participation
from scheduler.enqueue import enqueue
from scheduler.models import Reminder
from scheduler.sources import Plan, ReminderSource, Target, room_link, summit_offsets

SOURCE = "meeting"
# The reminder mail writes the recipient's own time this way; the other side's time reads alike.
LOCAL_TIME = "DATETIME_FORMAT"  # per language: summit/formats/


class MeetingSource(ReminderSource):
    """The people sitting in an accepted meeting, at the offsets of its summit."""

    name = SOURCE

    def offsets_by_scope(self, now):
        return summit_offsets(now)

    def due_plans(self, offset, scope_ids, lo, hi):
        seats = Participation.objects.filter(
            meeting__summit_id__in=scope_ids,
            meeting__status=Meeting.Status.ACCEPTED,
            meeting__starts_at__gt=lo,
            meeting__starts_at__lte=hi,
        ).values_list("meeting_id", "user_id", "meeting__starts_at")
        for meeting_id, user_id, starts_at in seats.iterator(chunk_size=2000):
            yield Plan(meeting_id, user_id, Reminder.Role.ATTENDEE, starts_at)

    def recipients(self, target_id):
        """Told of a cancellation: the people of a cancelled meeting that had been confirmed (its room was opened).

        A request withdrawn before anyone accepted it, or a declined one, was
        never in anyone's agenda as a meeting: no notice.
        """
        seats = Participation.objects.filter(
            meeting_id=target_id, meeting__status=Meeting.Status.CANCELLED, meeting__room__isnull=False
        )
        return [(user_id, Reminder.Role.ATTENDEE) for user_id in seats.values_list("user_id", flat=True)]

    def describe(self, target_id, user_id, role):
        meeting = Meeting.objects.select_related("summit", "room").filter(pk=target_id).first()
        if meeting is None:
            return None
        target = Target(
            title=str(meeting),  # replaced below by the recipient's own title
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            summit_name=meeting.summit.name,
            place="",
            url=_meeting_link(meeting.summit.slug, meeting.room.slug if meeting.room_id else None, meeting.pk),
            cancelled=meeting.status != Meeting.Status.ACCEPTED,
            for_recipient=False,
        )
        user = get_user_model().objects.select_related("profile").filter(pk=user_id).first()
        if user is None:
            return target
        view = _view_of(meeting, user)
        if view is None:
            return target
        with translation.override(profile_for(user).language):
            target.title = _("Meeting with %(name)s") % {"name": view["with"]["name"]}
            target.place = _("Private meeting room")
            target.url = _meeting_link(view["summit"], view["room"], meeting.pk)
            target.for_recipient = True
            target.notes = _notes(view)
        return target


def _view_of(meeting, user):
    """The meeting as `user` sees it, clock changes counted from the request; None if they are not in it."""
    booked_at = meeting.created_at
    if meeting.status == Meeting.Status.ACCEPTED:
        return next(
            (view for seat, view in services.reminder_targets(meeting.pk, now=booked_at) if seat.pk == user.pk), None
        )
    # No longer accepted (a cancellation notice): only the title is needed, seen from their side.
    mine = services.meetings_of(user).filter(pk=meeting.pk).first()
    return services.meeting_out(mine, user, now=booked_at) if mine else None


def _meeting_link(summit_slug, room_slug, meeting_id):
    """The private room once the meeting has one, else the meeting's page."""
    if room_slug:
        return room_link(summit_slug, room_slug)
    return site_url(reverse("partnering-meeting", args=[summit_slug, meeting_id]))


def _notes(view):
    """Lines under the recipient's own time: the other side's time, a clock change, the video link."""
    them = view["with"]
    notes = [
        "%s: %s (%s)"
        % (
            _("Their time (%(place)s)") % {"place": them["city"]},
            formats.date_format(view["local"]["them"], LOCAL_TIME),
            them["timezone"],
        )
    ]
    if view["clock_change_before"]:
        changes = " ".join(
            _("(%(zone)s changes its clock on %(day)s)")
            % {
                "zone": change["timezone"],
                "day": formats.date_format(
                    change["at"].astimezone(zoneinfo.ZoneInfo(change["timezone"])), "DATE_FORMAT"
                ),
            }
            for change in view["clock_changes"]
        )
        notes.append(
            _("A clock change falls before this meeting: the local times above already account for it.") + " " + changes
        )
    if view["video_url"]:
        notes.append(f"{_('Video call:')} {view['video_url']}")
    return notes


def on_meeting_changed(sender, meeting_id, change, **kwargs):
    """partnering.signals.meeting_changed, sent after commit, handed to the scheduler's workers."""
    if change == "proposed":
        enqueue("scheduler.replan_target", SOURCE, meeting_id)
    elif change in ("cancelled", "declined"):
        enqueue("scheduler.cancel_target", SOURCE, meeting_id)
