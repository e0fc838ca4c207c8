"""The demo summit: the Sophia Antipolis – Qingdao roadshow, built from the article it started from.

Everything people read is written in English, French (after the article) and Simplified Chinese.
The summit's main language is English: the language the French and Chinese partners share, so
whatever an organiser later types as a plain string reaches both sides.

Dates are laid relative to the day the demo is first seeded, so that a fresh `make run` always
has something live, something coming up and something past.

The demo's text in three languages lives in events/demo_content.py; this is the seeding code.

Seeding again is safe: every record is found by a stable key (summit, room, track, company,
speaker and session slugs), never by a title an organiser may reuse or change, so nothing is
duplicated and nothing an organiser wrote is overwritten; only translations still empty are
filled in. A demo session that would overlap one an organiser scheduled in its room is left out,
as the API would refuse it. The organiser's password is set when the account is created and
changed again only when asked (`seed_demo --reset-password`).
"""

import datetime as dt
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from events.demo_content import (
    ATTENDEES,
    COMPANIES,
    PARIS,
    PROGRAMME,
    ROOMS,
    SPEAKERS,
    SUMMIT,
    SUMMIT_SLUG,
    THEME_NAMES,
    THEMES,
    TRACKS,
)
from events.i18n import column
from events.models import Company, Profile, Registration, Room, Session, Speaker, Summit, Track
from events.services import check_no_overlap
from summit.errors import Invalid

User = get_user_model()


def fill_translations(obj, texts_by_field):
    """Sets each field's languages that are still empty; returns whether anything changed."""
    changed = False
    for field, texts in texts_by_field.items():
        for code, text in texts.items():
            name = column(field, code)
            if not getattr(obj, name):
                setattr(obj, name, text)
                changed = True
    return changed


def fill_theme_names(summit):
    """Gives the demo's themes the labels still missing; returns whether anything changed."""
    names, changed = dict(summit.theme_names or {}), False
    for key in summit.themes:
        labels = dict(names.get(key) or {})
        for code, text in THEME_NAMES.get(key, {}).items():
            if not labels.get(code):
                labels[code], changed = text, True
        names[key] = labels
    summit.theme_names = names
    return changed


def _keyed(model, summit, slug, texts, defaults, *, legacy_field=None, legacy_value=None):
    """The demo record `slug`, created with `defaults` and `texts` if missing.

    A demo seeded before records had slugs is adopted by its old English value (once); after that
    the slug alone finds it, whatever an organiser renamed or created since.
    """
    obj = model.objects.filter(summit=summit, slug=slug).first()
    if obj is None and legacy_field:
        obj = model.objects.filter(summit=summit, slug="", **{legacy_field: legacy_value}).order_by("pk").first()
        if obj is not None:
            obj.slug = slug
            obj.save(update_fields=["slug"])
    created = obj is None
    if created:
        obj = model(summit=summit, slug=slug, **defaults)
    if fill_translations(obj, texts) or created:
        obj.save()
    return obj, created


def _at(first_day, offset, hhmm):
    hour, minute = map(int, hhmm.split(":"))
    return dt.datetime.combine(first_day + dt.timedelta(days=offset), dt.time(hour, minute), tzinfo=PARIS)


def _person(email, name, organisation, country, tz, language):
    user, _created = User.objects.get_or_create(username=email, defaults={"email": email})
    Profile.objects.get_or_create(
        user=user,
        defaults={"name": name, "organisation": organisation, "country": country, "timezone": tz, "language": language},
    )
    return user


def demo_session(summit, slug, legacy_title):
    """The demo session `slug`, or None. One seeded before sessions had slugs is adopted (once) by the
    English title it was created with; after that the slug alone finds it."""
    session = Session.objects.filter(summit=summit, slug=slug).first()
    if session is None:
        session = Session.objects.filter(summit=summit, slug="", title_en=legacy_title).order_by("pk").first()
        if session is not None:
            session.slug = slug
            session.save(update_fields=["slug"])
    return session


def free_room(room, starts_at, ends_at, moving=None):
    """Whether `room` has nothing else on at that time, under the room's lock as the API checks it."""
    Room.objects.select_for_update().filter(pk=room.pk).first()
    try:
        check_no_overlap(room, starts_at, ends_at, exclude_id=moving.pk if moving is not None else None)
    except Invalid:
        return False
    return True


def _session(summit, slug, room, starts_at, ends_at, texts, **defaults):
    """A demo session found by its slug; a new one is skipped if it would overlap a session in its room."""
    session = demo_session(summit, slug, texts["title"]["en"])
    if session is not None:
        if fill_translations(session, texts):
            session.save()
        return session, False
    if not free_room(room, starts_at, ends_at):
        return None, False
    session = Session(summit=summit, slug=slug, room=room, starts_at=starts_at, ends_at=ends_at, **defaults)
    fill_translations(session, texts)
    session.save()
    return session, True


@transaction.atomic
def seed_demo(password=None, *, reset_password=False):
    """Creates what is missing of the demo summit.

    Returns (summit, organiser password or None): the password is set when the organiser account is
    created, or when `reset_password` is true (`password`, else a generated one); otherwise the
    organiser's password is left alone.
    """
    first_day = timezone.localdate(timezone=PARIS)
    summit = Summit.objects.filter(slug=SUMMIT_SLUG).first()
    if summit is None:
        summit = Summit(
            slug=SUMMIT_SLUG,
            language="en",
            organised_with="Qingdao High-tech Zone",
            timezone="Europe/Paris",
            partner_timezone="Asia/Shanghai",
            languages=["en", "fr", "zh-hans"],
            themes=THEMES,
            starts_on=first_day,
            ends_on=first_day + dt.timedelta(days=2),
            reminder_offsets=[24 * 60, 15],
        )
    else:
        first_day = summit.starts_on
    if fill_translations(summit, SUMMIT) | fill_theme_names(summit) or summit.pk is None:
        summit.save()

    tracks = {}
    for slug, colour, name, description in TRACKS:
        tracks[slug], _ = _keyed(Track, summit, slug, {"name": name, "description": description}, {"colour": colour})
    companies = {}
    for slug, themes, name, tagline, description in COMPANIES:
        companies[slug], _ = _keyed(
            Company,
            summit,
            slug,
            {"name": name, "tagline": tagline, "description": description},
            {"country": "FR", "themes": themes},
        )
    rooms = {}
    for position, (slug, kind, company, name, description) in enumerate(ROOMS):
        rooms[slug], _ = _keyed(
            Room,
            summit,
            slug,
            {"name": name, "description": description},
            {
                "kind": kind,
                "company": companies.get(company),
                "position": position,
                "is_moderated": kind == Room.Kind.STAGE,
            },
        )
    speakers = {}
    for slug, name, organisation, company, title, bio in SPEAKERS:
        speakers[slug], _ = _keyed(
            Speaker,
            summit,
            slug,
            {"title": title, "bio": bio},
            {"name": name, "organisation": organisation, "company": companies.get(company)},
            legacy_field="name",
            legacy_value=name,
        )
    for slug, offset, start, minutes, room, track, speaker_keys, company, language, title, abstract in PROGRAMME:
        starts_at = _at(first_day, offset, start)
        session, made = _session(
            summit,
            slug,
            rooms[room],
            starts_at,
            starts_at + dt.timedelta(minutes=minutes),
            {"title": title, "description": abstract},
            track=tracks.get(track),
            company=companies.get(company),
            language=language,
        )
        if made:
            session.speakers.set([speakers[k] for k in speaker_keys])

    organiser, made = User.objects.get_or_create(
        username="organiser", defaults={"email": "organiser@example.org", "is_staff": True}
    )
    new_password = None
    if made or reset_password:
        new_password = password or secrets.token_urlsafe(12)
        organiser.set_password(new_password)
        organiser.save()
    Profile.objects.get_or_create(
        user=organiser,
        defaults={
            "name": "Roadshow organiser",
            "organisation": "Fondation Sophia Antipolis",
            "country": "FR",
            "timezone": "Europe/Paris",
            "language": "fr",
        },
    )
    Registration.objects.update_or_create(summit=summit, user=organiser, defaults={"role": Registration.Role.ORGANISER})
    for person in ATTENDEES:
        Registration.objects.get_or_create(summit=summit, user=_person(*person))
    return summit, new_password
