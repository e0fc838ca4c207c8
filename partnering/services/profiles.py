"""Partner profiles: who may see partnering, the directory, and editing one's own card or a company's."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from events.i18n import theme_key, theme_labels
from events.models import Company, Profile, Registration
from events.services import check_registered, check_timezone
from partnering.models import NEEDS, PartnerProfile
from partnering.services.timerules import place_of
from summit.errors import Forbidden, Invalid, NotFound


def do_create_missing_profiles(summit):
    """Gives every registered person and pitching company a profile with defaults, in a few queries.

    Every registration and company gets its profile when it is created
    (partnering/receivers.py), so nobody has to fill anything in to be found;
    this catches up rows made in bulk, which send no signals.
    """
    have_users = PartnerProfile.objects.filter(summit=summit, user__isnull=False).values("user_id")
    missing_people = (
        Registration.objects.filter(summit=summit).exclude(user_id__in=have_users).select_related("user__profile")
    )
    have_companies = PartnerProfile.objects.filter(summit=summit, company__isnull=False).values("company_id")
    missing_companies = Company.objects.filter(summit=summit).exclude(pk__in=have_companies)
    fresh = [_person_defaults(summit, r.user) for r in missing_people]
    fresh += [_company_defaults(summit, c) for c in missing_companies]
    if fresh:
        PartnerProfile.objects.bulk_create(fresh, ignore_conflicts=True)


def _person_defaults(summit, user):
    try:
        profile = user.profile
    except Profile.DoesNotExist:
        profile = None
    return PartnerProfile(
        summit=summit,
        user=user,
        organisation=profile.organisation if profile else "",
        country=profile.country if profile else "",
        timezone=profile.timezone if profile else summit.timezone,
    )


def _company_defaults(summit, company):
    return PartnerProfile(
        summit=summit,
        company_id=company.pk,
        organisation=company.name,
        country=company.country,
        timezone=summit.timezone,
        themes=[t for t in company.themes if t in summit.themes],
    )


def do_create_profile(summit, *, user=None, company=None):
    """The default profile of a person who just registered, or of a new company; a second call changes nothing."""
    # By id, not instance: an unsaved profile must not be cached on the company it describes.
    fresh = _person_defaults(summit, user) if user is not None else _company_defaults(summit, company)
    PartnerProfile.objects.bulk_create([fresh], ignore_conflicts=True)


def access_partnering(user, summit):
    """Only registered people of the summit see partnering; returns the person's own profile."""
    check_registered(user, summit)
    return my_profile(user, summit)


def my_profile(user, summit):
    profile = PartnerProfile.objects.select_related("user__profile").filter(summit=summit, user=user).first()
    if profile is None:  # a platform superuser who never registered
        raise Forbidden(_("Register for this summit first."))
    return profile


def profiles(summit):
    return PartnerProfile.objects.filter(summit=summit).select_related("user__profile", "company", "summit")


def access_profile(user, summit, profile_id):
    """A visible profile of this summit (or one the person acts for); hidden ones are not found."""
    access_partnering(user, summit)
    profile = profiles(summit).filter(pk=profile_id).first()
    if profile is None or not (profile.visible or acts_for(user, profile)):
        raise NotFound(_("No such partner profile."))
    return profile


def acts_for(user, profile):
    """A person acts for their own profile and for the profiles of the companies they belong to."""
    if profile.user_id:
        return profile.user_id == user.pk
    return any(member.pk == user.pk for member in profile.company.members.all())  # uses a prefetch if any


def directory_countries(summit):
    """The countries of visible profiles, for the directory's filter."""
    return sorted(set(profiles(summit).filter(visible=True).exclude(country="").values_list("country", flat=True)))


def companies_of(user, summit):
    """The summit's companies the person is a member of (they may act for them)."""
    return Company.objects.filter(summit=summit, members=user)


def company_slugs_by_user(summit):
    pairs = Company.members.through.objects.filter(company__summit=summit).values_list("user_id", "company__slug")
    result = {}
    for user_id, slug in pairs.order_by("company__name"):
        result.setdefault(user_id, slug)
    return result


@dataclass
class DirectoryFilter:
    q: str = ""
    theme: str = ""
    country: str = ""
    offers: str = ""
    seeks: str = ""


def directory(user, summit, filters):
    """Visible profiles matching the filters, by name.

    Text search is icontains on name, organisation and company so it behaves
    alike on SQLite and PostgreSQL; list filters run in Python because SQLite
    cannot look inside JSON lists.
    """
    access_partnering(user, summit)
    found = profiles(summit).filter(visible=True)
    q = (filters.q or "").strip()
    if q:
        member_of = Company.members.through.objects.filter(company__summit=summit, company__name__icontains=q)
        found = found.filter(
            Q(user__profile__name__icontains=q)
            | Q(organisation__icontains=q)
            | Q(company__name__icontains=q)
            | Q(user_id__in=member_of.values("user_id"))
        )
    if filters.country:
        found = found.filter(country__iexact=filters.country.strip())
    theme = theme_key(summit, filters.theme) or filters.theme  # a key or its label in any language
    result = [
        p
        for p in found
        if (not theme or theme in p.themes)
        and (not filters.offers or filters.offers in p.offers)
        and (not filters.seeks or filters.seeks in p.seeks)
    ]
    return sorted(result, key=lambda p: (p.name.lower(), p.pk))


@dataclass
class ProfileChange:
    organisation: str | None = None
    country: str | None = None
    city: str | None = None
    timezone: str | None = None
    office_start: str | None = None
    office_end: str | None = None
    office_weekdays: list[int] | None = None
    themes: list[str] | None = None
    offers: list[str] | None = None
    seeks: list[str] | None = None
    about: str | None = None
    visible: bool | None = None


def check_clock(value, field):
    try:
        return dt.time.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        raise Invalid(_("%(field)s must be a time like 09:00.") % {"field": field}) from None


def check_needs(values, field):
    unknown = [v for v in values if v not in NEEDS]
    if unknown:
        raise Invalid(
            _("%(field)s must be among %(codes)s; unknown: %(bad)s.")
            % {"field": field, "codes": ", ".join(NEEDS), "bad": ", ".join(map(str, unknown))}
        )
    return list(dict.fromkeys(values))


def do_update_profile(user, profile, change):
    if not acts_for(user, profile):
        raise Forbidden(_("You may only edit your own profile or your company's."))
    summit = profile.summit
    if change.organisation is not None:
        if len(change.organisation) > 200:
            raise Invalid(_("The organisation name is too long."))
        profile.organisation = change.organisation.strip()
    if change.country is not None:
        country = change.country.strip().upper()
        if country and (len(country) != 2 or not country.isalpha()):
            raise Invalid(_("Country must be a two-letter code such as FR or CN."))
        profile.country = country
    if change.city is not None:
        if len(change.city) > 100:
            raise Invalid(_("The city name is too long."))
        profile.city = change.city.strip()
    if change.timezone is not None:
        check_timezone(change.timezone)
        profile.timezone = change.timezone
    if change.office_start is not None:
        profile.office_start = check_clock(change.office_start, "office_hours.start")
    if change.office_end is not None:
        profile.office_end = check_clock(change.office_end, "office_hours.end")
    if profile.office_end <= profile.office_start:
        raise Invalid(_("Office hours must end after they start."))
    if change.office_weekdays is not None:
        if not change.office_weekdays or any(d not in range(1, 8) for d in change.office_weekdays):
            raise Invalid(_("Office weekdays are numbers from 1 (Monday) to 7 (Sunday), at least one."))
        profile.office_weekdays = sorted(set(change.office_weekdays))
    if change.themes is not None:
        keys = [theme_key(summit, t) for t in change.themes]  # keys, or labels in any language
        if None in keys:
            raise Invalid(
                _("Themes must be among the summit's: %(themes)s.")
                % {"themes": ", ".join(label for _key, label in theme_labels(summit))}
            )
        profile.themes = list(dict.fromkeys(keys))
    if change.offers is not None:
        profile.offers = check_needs(change.offers, "offers")
    if change.seeks is not None:
        profile.seeks = check_needs(change.seeks, "seeks")
    if change.about is not None:
        if len(change.about) > 4000:
            raise Invalid(_("The description is too long."))
        profile.about = change.about
    if change.visible is not None:
        profile.visible = change.visible
    profile.save()
    return profile


def profile_out(profile, companies_by_user=None):
    if profile.company_id:
        company = profile.company.slug
    elif companies_by_user is not None:
        company = companies_by_user.get(profile.user_id)
    else:
        company = (
            Company.objects.filter(summit_id=profile.summit_id, members=profile.user_id)
            .values_list("slug", flat=True)
            .first()
        )
    return {
        "id": profile.pk,
        "kind": "company" if profile.company_id else "person",
        "name": profile.name,
        "organisation": profile.organisation,
        "company": company,
        "country": profile.country,
        "city": place_of(profile),
        "timezone": profile.timezone,
        "office_hours": office_hours_out(profile),
        # Labels in the reader's language; the API takes them back (or keys) in any language.
        "themes": [label for _key, label in theme_labels(profile.summit, profile.themes)],
        "offers": profile.offers,
        "seeks": profile.seeks,
        "about": profile.about,
    }


def office_hours_out(profile):
    return {
        "start": profile.office_start.strftime("%H:%M"),
        "end": profile.office_end.strftime("%H:%M"),
        "weekdays": profile.office_weekdays,
    }
