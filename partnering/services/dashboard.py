"""The organisers' partnering figures: meetings per company and per theme."""

from django.utils import timezone

from events.i18n import theme_label
from events.models import Company
from events.services import check_organiser
from partnering.models import Meeting


def _companies_by_member(summit):
    result = {}
    for user_id, company_id in Company.members.through.objects.filter(company__summit=summit).values_list(
        "user_id", "company_id"
    ):
        result.setdefault(user_id, set()).add(company_id)
    return result


def _companies_of_side(profile, by_member):
    if profile.company_id:
        return {profile.company_id}
    return by_member.get(profile.user_id, set())


def dashboard(user, summit, now=None):
    """Meetings requested / accepted / held per company and per theme, in a fixed number of queries.

    A meeting counts for a company when the company or one of its members is
    a party; for a theme when either party lists it. "Requested" counts every
    meeting ever asked for, "accepted" those accepted now, "held" accepted
    ones that have ended.
    """
    check_organiser(user, summit)
    now = now or timezone.now()
    by_member = _companies_by_member(summit)
    companies = list(Company.objects.filter(summit=summit).order_by("name"))
    per_company = {c.pk: {"requested": 0, "accepted": 0, "held": 0} for c in companies}
    per_theme = {t: {"requested": 0, "accepted": 0, "held": 0} for t in summit.themes}
    totals = {"requested": 0, "accepted": 0, "held": 0}
    meetings = Meeting.objects.filter(summit=summit).select_related("requester", "invitee")
    for meeting in meetings:
        keys = ["requested"]
        if meeting.status == Meeting.Status.ACCEPTED:
            keys.append("accepted")
            if meeting.ends_at <= now:
                keys.append("held")
        involved = _companies_of_side(meeting.requester, by_member) | _companies_of_side(meeting.invitee, by_member)
        themes = set(meeting.requester.themes) | set(meeting.invitee.themes)
        for key in keys:
            totals[key] += 1
            for company_id in involved:
                per_company[company_id][key] += 1
            for theme in themes & per_theme.keys():
                per_theme[theme][key] += 1
    return {
        "totals": totals,
        "companies": [{"company": c, **per_company[c.pk]} for c in companies],
        "themes": [{"theme": theme_label(summit, t), **figures} for t, figures in per_theme.items()],
    }
