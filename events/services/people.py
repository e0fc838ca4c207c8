"""People: registering, joining a summit, invitations, sign-in links, and each person's profile and preferences."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from events.models import (
    Profile,
    Registration,
    SigninLink,
)
from events.services.access import check_organiser
from events.services.checks import User, check_language, check_timezone
from events.tasks import send_invitation, send_signin_link
from summit.celery import delay_on_commit
from summit.errors import Invalid
from summit.throttling import mail_allowed


@dataclass
class RegistrationForm:
    name: str
    email: str
    organisation: str = ""
    country: str = ""
    timezone: str = "UTC"
    language: str = "en"


def check_registration(form):
    name = (form.name or "").strip()
    if not name:
        raise Invalid(_("Tell us your name."))
    if len(name) > 200:
        raise Invalid(_("Your name is too long."))
    email = (form.email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise Invalid(_("“%(email)s” is not an email address.") % {"email": form.email}) from None
    country = (form.country or "").strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise Invalid(_("Country must be a two-letter code such as FR or CN."))
    check_timezone(form.timezone)
    check_language(form.language)
    if len(form.organisation or "") > 200:
        raise Invalid(_("The organisation name is too long."))
    return RegistrationForm(name, email, (form.organisation or "").strip(), country, form.timezone, form.language)


def do_register(summit, form):
    """Register a new person, or mail a sign-in link to one we know.

    Returns `(user, created)`. When the email is already known nobody is
    signed in: whoever typed it may not own it, so the owner gets a link.
    """
    form = check_registration(form)
    existing = User.objects.filter(email__iexact=form.email).first()
    if existing:
        do_request_signin_link(existing, summit)
        return existing, False
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=form.email, email=form.email)
            Profile.objects.create(
                user=user,
                name=form.name,
                organisation=form.organisation,
                country=form.country,
                timezone=form.timezone,
                language=form.language,
            )
            Registration.objects.create(summit=summit, user=user)
    except IntegrityError:
        # Two registrations with one email raced: the loser is treated as "already known".
        existing = User.objects.get(username=form.email)
        do_request_signin_link(existing, summit)
        return existing, False
    return user, True


MAX_NAMED_PEOPLE = 100


def check_email_list(emails):
    """Lower-cased, de-duplicated addresses in the order given; a malformed one is refused by name."""
    if not isinstance(emails, list) or not all(isinstance(e, str) for e in emails):
        raise Invalid(_("emails must be a list of email addresses."))
    wanted, malformed = [], []
    for email in emails:
        email = email.strip().lower()
        if not email or email in wanted:
            continue
        try:
            validate_email(email)
        except ValidationError:
            malformed.append(email)
            continue
        wanted.append(email)
    if malformed:
        raise Invalid(_("Not an email address: %(emails)s.") % {"emails": ", ".join(malformed)})
    if len(wanted) > MAX_NAMED_PEOPLE:
        raise Invalid(_("Name up to %(max)d people at once.") % {"max": MAX_NAMED_PEOPLE})
    return wanted


def registered_people_by_email(summit, emails):
    """Who an organiser may name (a juror, a company's member, a speaker): people registered for the summit.

    Returns ({email: user} for the registered ones, [the other addresses]). Whether another address has
    an account on the platform is never told apart, so naming people cannot probe accounts; the caller
    offers to invite the others (do_invite_to_register).
    """
    wanted = check_email_list(emails)
    matches = Q()
    for email in wanted:
        matches |= Q(email__iexact=email)
    found = {}
    if wanted:
        # The platform's superusers hold a role in every summit (role_in), so they count as registered.
        holders = Q(registrations__summit=summit) | Q(is_superuser=True)
        for person in User.objects.filter(matches, holders, is_active=True).distinct():
            found[person.email.lower()] = person
    return {email: found[email] for email in wanted if email in found}, [e for e in wanted if e not in found]


def check_registered_emails(summit, emails):
    """The registered people behind `emails`, or 422 naming the addresses that are not registered for the summit."""
    found, others = registered_people_by_email(summit, emails)
    if others:
        raise Invalid(
            _(
                "Not registered for this summit: %(emails)s. Only registered people can be named; "
                "invite them to register by mail first."
            )
            % {"emails": ", ".join(others)}
        )
    return list(found.values())


def do_invite_to_register(user, summit, emails):
    """Mails each address an invitation to register (by a worker, once this commits); returns the addresses.

    The same for an address with an account, without one, or already registered: the answer tells the
    organiser nothing about anyone's account.
    """
    check_organiser(user, summit)
    wanted = check_email_list(emails)
    for email in wanted:
        if mail_allowed(email):
            delay_on_commit(send_invitation, summit.pk, email, user.pk)
    return wanted


def do_join_summit(user, summit):
    Registration.objects.get_or_create(summit=summit, user=user)


def do_request_signin_link(user, summit=None):
    """Replaces the person's sign-in link with a new one, mailed by a worker once this commits.

    At most THROTTLE_SIGNIN_LINK mails an hour reach one address; beyond that nothing is sent
    and nothing says so (the caller answers the same either way).
    """
    if not mail_allowed(user.email):
        return
    with transaction.atomic():
        SigninLink.objects.filter(user=user).delete()
        link = SigninLink.objects.create(user=user, summit=summit)
    delay_on_commit(send_signin_link, link.pk)


def profile_for(user):
    """The person's profile. Reading never writes: an account made outside registration (the admin, a
    seed) that has none yet gets an unsaved one with the defaults, which do_update_preferences saves."""
    profile = getattr(user, "profile", None)  # a missing reverse one-to-one is an AttributeError
    if profile is None:
        profile = Profile(user=user, name=user.get_full_name() or user.get_username())
    return profile


def do_update_preferences(user, *, timezone_name=None, language=None):
    profile = profile_for(user)
    if timezone_name is not None:
        check_timezone(timezone_name)
        profile.timezone = timezone_name
    if language is not None:
        profile.language = check_language(language)
    if profile.pk is None:
        profile, _created = Profile.objects.update_or_create(
            user=user, defaults={"name": profile.name, "timezone": profile.timezone, "language": profile.language}
        )
    else:
        profile.save(update_fields=["timezone", "language"])
    return profile
