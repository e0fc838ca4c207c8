"""What partnering tells people, as notice sources of the scheduler's notices (registered in apps.py).

Meetings: the side that did not act is told of a request, an accept, a
decline, a new proposal and a withdrawn request; a change of video link is
not a notice. Cancelling a confirmed meeting (its room was opened) is told
by the reminders' cancellation notice (partnering/reminders.py) to both
people, so it is not told twice here. Mutual interest: the interested person
and the company's team are told, each with the link to the common slots.

Texts are written in the language active when `describe` is called: the
scheduler calls it under each recipient's own language.
"""

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from events.calendar import site_url
from partnering import services
from partnering.models import Meeting

MEETING_CHANGES = ("requested", "accepted", "declined", "proposed", "cancelled")


def _people(profile):
    if profile.user_id:
        return [profile.user_id]
    return [member.pk for member in profile.company.members.all()]


class MeetingNotices:
    name = "meeting"

    def recipients(self, target_id, change, actor_id):
        if change not in MEETING_CHANGES:
            return []
        meeting = (
            Meeting.objects.select_related("requester__company", "invitee__company")
            .prefetch_related("requester__company__members", "invitee__company__members")
            .filter(pk=target_id)
            .first()
        )
        if meeting is None or (change == "cancelled" and meeting.room_id is not None):
            return []
        sides = [meeting.requester, meeting.invitee]
        acting = [side for side in sides if actor_id in _people(side)]
        told = [side for side in sides if side not in acting] if acting else sides
        return sorted({pk for side in told for pk in _people(side) if pk != actor_id})

    def describe(self, target_id, change, user):
        mine = services.meetings_of(user).filter(pk=target_id).first()
        if mine is None:
            return None
        view = services.meeting_out(mine, user)
        name = view["with"]["name"]
        titles = {
            "requested": _("%(name)s asks to meet you"),
            "accepted": _("%(name)s accepted your meeting"),
            "declined": _("%(name)s declined your meeting"),
            "proposed": _("%(name)s proposes another time"),
            "cancelled": _("%(name)s withdrew the meeting request"),
        }
        when = "%s · %s" % (formats.date_format(view["local"]["you"], "DAY_FORMAT"), view["label"])
        return {
            "title": titles[change] % {"name": name},
            "body": when,
            "url": view["url"],
            "link": site_url(view["url"]),
        }


class InterestNotices:
    """A new interest tells the company's members (without naming the person: the leads page shares what the
    person agreed to share); a mutual one tells the person and the team."""

    name = "interest"

    def recipients(self, target_id, change, actor_id):
        if change == "interested":
            return services.interested_notice_parties(target_id)[1]
        _interest, people = services.notice_parties(target_id)
        return people

    def describe(self, target_id, change, user):
        if change == "interested":
            return self._describe_interested(target_id)
        interest, _people_told = services.notice_parties(target_id)
        if interest is None:
            return None
        intro = services.introduction_out(interest, user)
        if intro["as_company"]:
            title = _("You and %(name)s are both interested") % {"name": intro["name"]}
        else:
            title = _("%(company)s is interested too") % {"company": intro["name"]}
        return {
            "title": title,
            "body": _("Pick a time to meet: your common slots are ready."),
            "url": intro["offer_url"],
            "link": site_url(intro["offer_url"]),
        }

    def _describe_interested(self, target_id):
        interest, _members = services.interested_notice_parties(target_id)
        if interest is None:
            return None
        url = reverse("partnering-leads", args=[interest.summit.slug, interest.company.slug]) + "#interested"
        return {
            "title": _("Someone is interested in %(company)s") % {"company": interest.company.name},
            "body": _("Answer them from your leads: say you are interested too, and you can pick a time to meet."),
            "url": url,
            "link": site_url(url),
        }
