"""Meetings as calendar entries, for the person's agenda feed and the meetings feed."""

from django.urls import reverse
from django.utils.translation import gettext as _

from events.calendar import add_event, calendar_uid, new_calendar, site_url
from partnering.models import Meeting
from partnering.services.meetings import meetings_of, other_side, side_of


def meeting_entries(user, summit=None):
    """The person's requested and accepted meetings as calendar entries; cancelled ones stay as CANCELLED."""
    for meeting in meetings_of(user, summit).exclude(status=Meeting.Status.DECLINED):
        me = side_of(user, meeting) or meeting.requester
        them = other_side(meeting, me)
        yield {
            "uid": calendar_uid("meeting", meeting.pk),
            "starts_at": meeting.starts_at,
            "ends_at": meeting.ends_at,
            "summary": _("Meeting with %(name)s") % {"name": them.name},
            "url": site_url(reverse("partnering-meeting", args=[meeting.summit.slug, meeting.pk])),
            "description": "\n\n".join(filter(None, [meeting.message, meeting.video_url])),
            "updated_at": meeting.updated_at,
            "sequence": meeting.sequence,
            "status": {Meeting.Status.ACCEPTED: "CONFIRMED", Meeting.Status.CANCELLED: "CANCELLED"}.get(
                meeting.status, "TENTATIVE"
            ),
        }


def meetings_calendar(user, summit):
    cal = new_calendar(_("My meetings – %(summit)s") % {"summit": summit.name})
    for entry in meeting_entries(user, summit):
        add_event(cal, **entry)
    return cal.to_ical()
