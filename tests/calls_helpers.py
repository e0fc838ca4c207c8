"""Shared set-up for the call tests: an accepted meeting between Camille (Paris) and Li Na (Qingdao)."""

import datetime as dt

from partnering import services
from partnering.models import Meeting, Participation

STARTS_AT = dt.datetime(2027, 3, 29, 7, 0, tzinfo=dt.UTC)  # 09:00 Paris, 15:00 Qingdao; ahead of now


def accepted_meeting(summit, requester, invitee, invitee_profile, starts_at=STARTS_AT):
    meeting = services.do_request_meeting(
        requester, summit, services.MeetingRequest(invitee_profile.pk, starts_at, 30, message="Distribution")
    )
    return services.do_accept(invitee, meeting)


def move_into_the_past(meeting, minutes_ago=60):
    """The meeting ended `minutes_ago` minutes ago (its seats follow, as partnering keeps them)."""
    from django.utils import timezone

    ends_at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    starts_at = ends_at - dt.timedelta(minutes=30)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=starts_at, ends_at=ends_at)
    Participation.objects.filter(meeting=meeting).update(starts_at=starts_at, ends_at=ends_at)


def company_meeting(summit, member, invitee, invitee_profile, company="fair-vision", starts_at=STARTS_AT):
    """An accepted meeting that `member` asked for on behalf of their company."""
    meeting = services.do_request_meeting(
        member, summit, services.MeetingRequest(invitee_profile.pk, starts_at, 30, as_company=company)
    )
    return services.do_accept(invitee, meeting)
