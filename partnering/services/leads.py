"""A company's leads: who visited its pitch rooms, asked there, or meets it."""

from django.contrib.auth import get_user_model
from django.db.models import Count, DateTimeField, DurationField, ExpressionWrapper, F, Min, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Company, Room
from events.services import check_signed_in, is_organiser
from livechat.models import Attendance, Question
from partnering.models import Meeting, Participation, PartnerProfile
from partnering.services.sharing import sharing_with
from summit.csvfile import csv_text
from summit.errors import Forbidden, NotFound

LIVE_MEETING = (Meeting.Status.REQUESTED, Meeting.Status.ACCEPTED)
# A lead who has not agreed to share their contact with the company: counted, never named.
ANONYMOUS = {
    "shared": False,
    "user_id": None,
    "name": "",
    "email": "",
    "organisation": "",
    "country": "",
    "profile_id": None,
    "seeks": [],
}
LEAD_COLUMNS = [
    "name",
    "email",
    "organisation",
    "country",
    "visits",
    "minutes",
    "first_visit",
    "questions",
    "meetings",
    "seeks",
]


def access_company_leads(user, summit, company_slug):
    """A company's leads are for its own members and the organisers, nobody else."""
    check_signed_in(user)
    company = Company.objects.filter(summit=summit, slug=company_slug).first()
    if company is None:
        raise NotFound(_("No company called “%(slug)s” in this summit.") % {"slug": company_slug})
    if not (is_organiser(user, summit) or company.members.filter(pk=user.pk).exists()):
        raise Forbidden(_("Only %(company)s's team and the organisers see its leads.") % {"company": company.name})
    return company


def leads(summit, companies, now=None):
    """{company id: its leads}: who visited its pitch rooms, asked there or has a live meeting with it.

    The page, both CSVs and the attendance report all read this, in seven
    queries for any number of companies and people (pinned in
    tests/test_leads.py). Only people who agreed to share their contact
    with the company (partnering.services.sharing) are named; the others
    come back as ANONYMOUS rows with their figures alone. Anonymous questions make nobody a lead (the asker
    chose not to be known); a company's own members are not its leads; what
    someone seeks, and the organisation and country of their partner card,
    are shown only while that card is visible, as in the directory. A visit
    still open counts its minutes until `now`.
    """
    now = now or timezone.now()
    company_ids = [company.pk for company in companies]
    members, member_of = _members(company_ids)
    figures = {}

    def lead(company_id, user_id):
        return figures.setdefault(
            (company_id, user_id), {"visits": 0, "minutes": 0, "first_visit": None, "questions": 0, "meetings": 0}
        )

    in_pitch_rooms = Q(room__kind=Room.Kind.PITCH, room__company_id__in=company_ids)
    visited = Attendance.objects.filter(in_pitch_rooms)
    asked = Question.objects.filter(in_pitch_rooms, is_anonymous=False)
    seats = _live_meeting_seats(summit, company_ids, member_of)
    for key, visits in _visits(visited, now).items():
        lead(*key).update(visits)
    for row in asked.values("room__company_id", "author_id").order_by().annotate(n=Count("pk")):
        lead(row["room__company_id"], row["author_id"])["questions"] = row["n"]
    for key, meetings in _meetings_with(seats, members, member_of).items():
        lead(*key)["meetings"] = len(meetings)
    for company_id, user_id in list(figures):
        if user_id in members[company_id]:
            del figures[company_id, user_id]

    someone = get_user_model().objects.filter(
        Q(pk__in=visited.values("user_id")) | Q(pk__in=asked.values("author_id")) | Q(pk__in=seats.values("user_id"))
    )
    people = {
        row["pk"]: row
        for row in someone.values("pk", "email", "profile__name", "profile__organisation", "profile__country")
    }
    cards = {
        row["user_id"]: row
        for row in PartnerProfile.objects.filter(summit=summit, visible=True, user__in=someone).values(
            "user_id", "pk", "organisation", "country", "seeks"
        )
    }
    shared = sharing_with(summit, company_ids, list(people))
    result = {company_id: [] for company_id in company_ids}
    for (company_id, user_id), counted in figures.items():
        if user_id in people:  # else deleted meanwhile
            named = (company_id, user_id) in shared
            result[company_id].append(_lead_row(counted, people[user_id], cards.get(user_id, {}), named))
    for rows in result.values():
        rows.sort(key=_lead_order)
    return result


def _members(company_ids):
    """({company id: its members' ids}, {user id: the companies they are a member of})."""
    members, member_of = {company_id: set() for company_id in company_ids}, {}
    for company_id, user_id in Company.members.through.objects.filter(company_id__in=company_ids).values_list(
        "company_id", "user_id"
    ):
        members[company_id].add(user_id)
        member_of.setdefault(user_id, set()).add(company_id)
    return members, member_of


def _visits(visited, now):
    """{(company id, user id): visits, first visit and minutes} over the companies' pitch rooms."""
    stay = ExpressionWrapper(
        Coalesce("left_at", "last_seen_at", Value(now, output_field=DateTimeField())) - F("joined_at"),
        output_field=DurationField(),
    )
    rows = (
        visited.values("room__company_id", "user_id")
        .order_by()
        .annotate(visits=Count("pk"), first_visit=Min("joined_at"), stayed=Sum(stay))
    )
    return {
        (row["room__company_id"], row["user_id"]): {
            "visits": row["visits"],
            "first_visit": row["first_visit"],
            "minutes": round(row["stayed"].total_seconds() / 60, 1) if row["stayed"] else 0,
        }
        for row in rows
    }


def _live_meeting_seats(summit, company_ids, member_of):
    """Seats in requested or accepted meetings where one side is one of the companies or one of their members."""
    ours = Q(company_id__in=company_ids) | Q(user_id__in=list(member_of))
    return Participation.objects.filter(meeting__summit=summit, meeting__status__in=LIVE_MEETING).filter(
        Q(meeting__requester__in=PartnerProfile.objects.filter(ours))
        | Q(meeting__invitee__in=PartnerProfile.objects.filter(ours))
    )


def _meetings_with(seats, members, member_of):
    """{(company id, user id): the meetings that person sits in with the company (or one of its members)}."""
    met = {}
    for seat in seats.values(
        "meeting_id",
        "user_id",
        "profile_id",
        "meeting__requester_id",
        "meeting__requester__company_id",
        "meeting__requester__user_id",
        "meeting__invitee__company_id",
        "meeting__invitee__user_id",
    ):
        side = "invitee" if seat["profile_id"] == seat["meeting__requester_id"] else "requester"
        other_company, other_user = seat[f"meeting__{side}__company_id"], seat[f"meeting__{side}__user_id"]
        theirs = {other_company} & members.keys() if other_company is not None else member_of.get(other_user, set())
        for company_id in theirs:
            met.setdefault((company_id, seat["user_id"]), set()).add(seat["meeting_id"])
    return met


def _lead_row(figures, person, card, named):
    """One lead: named with their contact when they agreed to share it with the company, else ANONYMOUS."""
    if not named:
        return {**ANONYMOUS, **figures}
    return {
        "shared": True,
        "user_id": person["pk"],
        "name": person["profile__name"] or person["email"],
        "email": person["email"],
        "organisation": card.get("organisation") or person["profile__organisation"] or "",
        "country": card.get("country") or person["profile__country"] or "",
        "profile_id": card.get("pk"),
        "seeks": card.get("seeks", []),
        **figures,
    }


def _lead_order(row):
    """Named leads first, then the warmest: meetings, questions, visits, minutes; then by name."""
    return (
        not row["shared"],
        -row["meetings"],
        -row["questions"],
        -row["visits"],
        -row["minutes"],
        row["name"].casefold(),
    )


def shared_leads(rows):
    """The leads who share their contact, by name; the others summed up as one anonymous count."""
    named = [row for row in rows if row["shared"]]
    others = [row for row in rows if not row["shared"]]
    return named, {
        "people": len(others),
        **{key: sum(row[key] for row in others) for key in ("visits", "questions", "meetings")},
        "minutes": round(sum(row["minutes"] for row in others), 1),
    }


def leads_csv(rows):
    """A company's leads who share their contact, as CSV: the page's download and the API's are this same text."""
    return csv_text(
        LEAD_COLUMNS,
        [
            {
                **row,
                "seeks": " ".join(row["seeks"]),
                "first_visit": row["first_visit"].isoformat() if row["first_visit"] else "",
            }
            for row in rows
            if row["shared"]
        ],
    )
