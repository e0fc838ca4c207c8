"""Mutual interest: a person presses "Interested" on a company, the company answers, a meeting follows.

Privacy: an interest is seen by the interested person, by the company's
members and by the organisers, and by nobody else (not other attendees, not
other companies). Pressing it is the person's explicit choice to be known by
that company, so the company's list carries their contact (email) even
where leads ask for a separate consent; withdrawing it removes the row, and
with it the company's sight of the person through this list.

When a member answers "Interested" back the interest becomes mutual: both
sides are told (partnering.signals.interest_changed, after commit; the
scheduler's notices turn it into in-app notices and mails) and both are
offered the common meeting slots, booked with one click through
`do_request_meeting`.
"""

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from events.models import Company
from events.services import check_registered, check_signed_in, is_organiser
from partnering.models import Interest, PartnerProfile
from partnering.services.profiles import access_partnering
from partnering.signals import interest_changed
from summit.errors import Forbidden, Invalid, NotFound


def _company(summit, company_slug):
    company = Company.objects.filter(summit=summit, slug=company_slug).first()
    if company is None:
        raise NotFound(_("No company called “%(slug)s” in this summit.") % {"slug": company_slug})
    return company


def is_member(user, company):
    return user.is_authenticated and company.members.filter(pk=user.pk).exists()


def access_interest_target(user, summit, company_slug):
    """The company a registered person may press "Interested" on (never their own company: 422)."""
    check_registered(user, summit)
    company = _company(summit, company_slug)
    if is_member(user, company):
        raise Invalid(_("You are a member of %(company)s: interest is for others to show.") % {"company": company.name})
    return company


def access_company_interests(user, summit, company_slug):
    """Who is interested in a company is for its members and the organisers only."""
    check_signed_in(user)
    company = _company(summit, company_slug)
    if not (is_member(user, company) or is_organiser(user, summit)):
        raise Forbidden(
            _("Only %(company)s's team and the organisers see who is interested in it.") % {"company": company.name}
        )
    return company


def check_member(user, company):
    if not is_member(user, company):
        raise Forbidden(_("Only %(company)s's team may answer for it.") % {"company": company.name})


def interest_of(user, summit, company):
    """The person's own interest in the company, or None (for the button's state)."""
    if not user.is_authenticated:
        return None
    return Interest.objects.filter(company=company, person__user=user, person__summit=summit).first()


def companies_interested_in(user, summit):
    """Slugs of the companies the person pressed "Interested" on: each sees their name and email."""
    mine = Interest.objects.filter(person__user=user, person__summit=summit)
    return set(mine.values_list("company__slug", flat=True))


def do_express_interest(user, summit, company_slug):
    """Idempotent: pressing "Interested" twice keeps one interest, with its first time."""
    company = access_interest_target(user, summit, company_slug)
    person = access_partnering(user, summit)
    interest, created = Interest.objects.get_or_create(company=company, person=person, defaults={"summit": summit})
    if created:  # the company's members are told (partnering/notices.py), once per interest
        transaction.on_commit(
            lambda: interest_changed.send(Interest, interest_id=interest.pk, change="interested", actor_id=user.pk)
        )
    return interest


def do_withdraw_interest(user, summit, company_slug):
    """Idempotent: withdrawing what is not there changes nothing. Returns how many were removed."""
    company = access_interest_target(user, summit, company_slug)
    removed, _detail = Interest.objects.filter(company=company, person__user=user, person__summit=summit).delete()
    return removed


def do_answer_interest(user, summit, company_slug, profile_id, now=None):
    """A member answers "Interested" back: the interest is mutual and both sides are told, once."""
    now = now or timezone.now()
    company = access_company_interests(user, summit, company_slug)
    check_member(user, company)
    with transaction.atomic():
        interest = Interest.objects.select_for_update().filter(company=company, person_id=profile_id).first()
        if interest is None:
            raise NotFound(_("This person has not shown interest in %(company)s.") % {"company": company.name})
        if interest.mutual_at is None:
            interest.mutual_at = now
            interest.answered_by = user
            interest.save(update_fields=["mutual_at", "answered_by"])
            transaction.on_commit(
                lambda: interest_changed.send(Interest, interest_id=interest.pk, change="mutual", actor_id=user.pk)
            )
    return interest


def company_interests(company):
    """The company's interested people, newest first, with what a member needs to answer them."""
    rows = (
        Interest.objects.filter(company=company).select_related("person__user__profile").order_by("-created_at", "-pk")
    )
    return [interest_out(interest) for interest in rows]


def interest_out(interest):
    person = interest.person
    profile = getattr(person.user, "profile", None)
    return {
        "profile_id": person.pk,
        "name": person.name,
        "organisation": person.organisation or (profile.organisation if profile else ""),
        "country": person.country or (profile.country if profile else ""),
        "email": person.user.email,
        "seeks": person.seeks if person.visible else [],
        "mutual": interest.mutual_at is not None,
        "at": interest.created_at,
    }


def _company_profile(summit, company):
    found = PartnerProfile.objects.select_related("company").filter(summit=summit, company=company).first()
    if found is None:
        raise NotFound(_("%(company)s has no partnering card.") % {"company": company.name})
    return found


def introductions(user, summit=None):
    """Mutual interests the person takes part in: as the interested person, or for their company.

    Each carries the other side and where to find common slots: `slots_url`
    (the slot picker's API) and `offer_url` (the page that books one in a click).
    """
    mine = Q(person__user=user) | Q(company__members=user)
    found = Interest.objects.filter(mine, mutual_at__isnull=False)
    if summit is not None:
        found = found.filter(summit=summit)
    found = (
        Interest.objects.filter(pk__in=found.values("pk"))
        .select_related("summit", "company", "person__user__profile")
        .order_by("-mutual_at", "-pk")
    )
    return [introduction_out(interest, user) for interest in found]


def introduction_out(interest, user):
    summit = interest.summit
    if interest.person.user_id == user.pk:
        other = _company_profile(summit, interest.company)
        as_company = None
    else:
        other = interest.person
        as_company = interest.company.slug
    query = {"with": other.pk, **({"as_company": as_company} if as_company else {})}
    return {
        "summit": summit.slug,
        "company": interest.company.slug,
        "company_name": interest.company.name,
        "as_company": as_company,
        "profile_id": other.pk,
        "name": other.name,
        "organisation": other.organisation,
        "country": other.country,
        "at": interest.mutual_at,
        "slots_url": reverse("api:slots", args=[summit.slug]) + "?" + urlencode(query),
        "offer_url": reverse("partnering-introductions", args=[summit.slug])
        + f"#intro-{interest.company.slug}-{other.pk}",
    }


def interested_notice_parties(interest_id):
    """For the notice of a new interest: (interest, [user ids told]): the company's members, not the person."""
    interest = Interest.objects.select_related("summit", "company", "person").filter(pk=interest_id).first()
    if interest is None:
        return None, []
    members = interest.company.members.exclude(pk__in=[interest.person.user_id]).values_list("pk", flat=True)
    return interest, list(members)


def notice_parties(interest_id):
    """For notices of a mutual interest: (interest, [user ids told]): the person and the company's team."""
    interest = (
        Interest.objects.select_related("summit", "company", "person__user__profile")
        .filter(pk=interest_id, mutual_at__isnull=False)
        .first()
    )
    if interest is None:
        return None, []
    members = list(interest.company.members.values_list("pk", flat=True))
    return interest, [interest.person.user_id, *[pk for pk in members if pk != interest.person.user_id]]


def company_card(summit, company):
    """The company's partner profile, the one "Meet this company" books with."""
    return _company_profile(summit, company)
