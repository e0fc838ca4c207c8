"""Whether a visitor's contact (name, email, organisation) reaches a company's leads: only if they agreed.

A person chooses once for the whole summit, or company by company (which wins); the choice can
be changed at any time and applies to the leads page, its CSV and the reports from then on.
"""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from events.models import Company
from events.services import check_registered
from partnering.models import ContactSharing
from summit.errors import Invalid


def contact_sharing(user, summit):
    """`{"summit": bool | None, "companies": {slug: bool}}`: the person's choices, None where none was made."""
    check_registered(user, summit)
    choices: dict[str, Any] = {"summit": None, "companies": {}}
    for choice in ContactSharing.objects.filter(summit=summit, user=user).select_related("company"):
        if choice.company is None:
            choices["summit"] = choice.shared
        else:
            choices["companies"][choice.company.slug] = choice.shared
    return choices


def do_set_contact_sharing(user, summit, *, everyone=None, companies=None):
    """Records the choice for the whole summit (`everyone`) and/or for single companies ({slug: bool}).

    What is not given stays as it was; returns all the person's choices.
    """
    check_registered(user, summit)
    companies = companies or {}
    found = {company.slug: company for company in Company.objects.filter(summit=summit, slug__in=list(companies))}
    unknown = sorted(set(companies) - set(found))
    if unknown:
        raise Invalid(_("No company called “%(slug)s” in this summit.") % {"slug": unknown[0]})
    with transaction.atomic():
        if everyone is not None:
            ContactSharing.objects.update_or_create(
                summit=summit, user=user, company=None, defaults={"shared": bool(everyone)}
            )
        for slug, shared in companies.items():
            ContactSharing.objects.update_or_create(
                summit=summit, user=user, company=found[slug], defaults={"shared": bool(shared)}
            )
    return contact_sharing(user, summit)


def sharing_with(summit, company_ids, user_ids):
    """{(company id, user id)} of the people who share their contact with each company, in one query."""
    summit_wide, per_company = {}, {}
    for row in ContactSharing.objects.filter(summit=summit, user_id__in=user_ids).values(
        "user_id", "company_id", "shared"
    ):
        if row["company_id"] is None:
            summit_wide[row["user_id"]] = row["shared"]
        else:
            per_company[row["company_id"], row["user_id"]] = row["shared"]
    return {
        (company_id, user_id)
        for company_id in company_ids
        for user_id in user_ids
        if per_company.get((company_id, user_id), summit_wide.get(user_id, False))
    }
