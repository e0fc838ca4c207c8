"""The editor's rules for rooms, tracks, themes, speakers and companies, and the views of the programme
an organiser works from (filtered session list, run sheet).

Sessions themselves are created, moved, cancelled and restored by events.services, the same functions
the API calls, so a change made here reaches attendees exactly as an API change does.
"""

import datetime as dt
import zoneinfo

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from events.i18n import translations
from events.models import Company, Room, Session, Track
from events.services import access_summit, check_organiser, check_registered_emails, listed_rooms
from programme.images import check_image
from summit.errors import Invalid, NotFound


def access_editor(user, slug):
    """The summit `slug`, for one of its organisers only (the same check as the API's)."""
    summit = access_summit(slug)
    check_organiser(user, summit)
    return summit


def access_item(model, summit, pk, items=None):
    """One of the summit's `model` rows (among `items` when given), else NotFound."""
    try:
        return (items if items is not None else model.objects).get(summit=summit, pk=pk)
    except model.DoesNotExist:
        raise NotFound(_("Not found in this summit.")) from None


def other_party_zone(summit, own_zone):
    """The zone to show beside the organiser's own: the partner's, else the summit's, when it differs."""
    for name in (summit.partner_timezone, summit.timezone):
        if name and name != str(own_zone):
            return zoneinfo.ZoneInfo(name)
    return None


# --- rooms, tracks, themes ----------------------------------------------------------------


def _name_for_address(summit, item):
    """The name to make an address from: the summit's main language first, then any other written."""
    names = translations(item, "name")
    name = names[summit.language] or next((text for text in names.values() if text), "")
    if not name.strip():
        raise Invalid(_("Give it a name, at least in one language."))
    return name


def _check_slug_free(model, summit, item):
    name = _name_for_address(summit, item)
    item.slug = item.slug or slugify(name)[:50]
    if not item.slug:
        raise Invalid(_("Give it a short name made of letters or digits for its address."))
    if model.objects.filter(summit=summit, slug=item.slug).exclude(pk=item.pk).exists():
        raise Invalid(_("“%(slug)s” is already used in this summit: choose another short name.") % {"slug": item.slug})


def do_save_room(user, summit, room):
    check_organiser(user, summit)
    room.summit = summit
    _check_slug_free(Room, summit, room)
    room.save()
    return room


def do_save_track(user, summit, track):
    check_organiser(user, summit)
    track.summit = summit
    _check_slug_free(Track, summit, track)
    track.save()
    return track


def do_delete_track(user, summit, track):
    """A track goes; its sessions stay on the programme without a track (schedules are rebuilt)."""
    check_organiser(user, summit)
    name = track.name
    track.delete()
    return name


def do_set_themes(user, summit, rows):
    """Saves the themes as the editor lists them: [{"key", "names": {code: text}}, ...], in order.

    A row keeps its key (profiles and companies store keys); a new row's key is made from its
    main-language text, else the first written; a row with no text in any language is dropped.
    """
    check_organiser(user, summit)
    keys, names = [], {}
    for row in rows:
        texts = {code: text.strip() for code, text in row["names"].items() if text and text.strip()}
        if not texts:
            continue
        key = row.get("key") or ""
        if key not in summit.themes:
            key = _new_theme_key(texts.get(summit.language) or next(iter(texts.values())), keys)
        if key in keys:
            continue
        keys.append(key)
        names[key] = texts
    summit.themes, summit.theme_names = keys, names
    summit.save(update_fields=["themes", "theme_names"])
    return keys


def _new_theme_key(text, taken):
    """A key for a new theme: its text made into a slug ("Smart manufacturing" -> "smart-manufacturing")."""
    base = slugify(text, allow_unicode=True) or "theme"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def editor_rooms(summit):
    """Rooms the organisers schedule; private 1:1 meeting rooms belong to partnering."""
    return listed_rooms(summit)


# --- speakers and companies ---------------------------------------------------------------


def _store_image(item, field_name, upload):
    """Stores the re-encoded upload through the default storage; the replaced file goes once committed."""
    image = check_image(upload)
    field = getattr(item, field_name)
    old_name = field.name
    field.save(image.name, image, save=False)
    if old_name:
        storage = field.storage
        transaction.on_commit(lambda: storage.delete(old_name))


def do_save_speaker(user, summit, speaker, photo=None):
    check_organiser(user, summit)
    if not speaker.name.strip():
        raise Invalid(_("A speaker needs a name."))
    speaker.summit = summit
    if speaker.company_id and speaker.company.summit_id != summit.pk:
        raise Invalid(_("This company is not part of the summit."))
    with transaction.atomic():
        if photo is not None:
            _store_image(speaker, "photo", photo)
        speaker.save()
    return speaker


def do_save_company(user, summit, company, member_emails=None, logo=None):
    check_organiser(user, summit)
    company.summit = summit
    _check_slug_free(Company, summit, company)
    members = check_registered_emails(summit, member_emails) if member_emails is not None else None
    with transaction.atomic():
        if logo is not None:
            _store_image(company, "logo", logo)
        company.save()
        if members is not None:
            company.members.set(members)
    return company


# --- the programme as organisers read it -------------------------------------------------


def programme_days(summit, tz):
    """Every day of the summit in `tz`, plus any day a session strays onto."""
    days = set()
    day = summit.starts_on
    while day <= summit.ends_on:
        days.add(day)
        day += dt.timedelta(days=1)
    for starts_at in Session.objects.filter(summit=summit).values_list("starts_at", flat=True):
        days.add(timezone.localtime(starts_at, tz).date())
    return sorted(days)


def _day_bounds(day, tz):
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def editor_sessions(summit, tz, *, day=None, room=None, track=None, status=None):
    """Every session of the summit, drafts and cancelled ones included, filtered as the organiser asks."""
    sessions = (
        Session.objects.filter(summit=summit)
        .select_related("room", "track", "company")
        .prefetch_related("speakers")
        .order_by("starts_at", "room__position", "pk")
    )
    if day is not None:
        start, end = _day_bounds(day, tz)
        sessions = sessions.filter(starts_at__gte=start, starts_at__lt=end)
    if room is not None:
        sessions = sessions.filter(room=room)
    if track is not None:
        sessions = sessions.filter(track=track)
    if status:
        sessions = sessions.filter(status=status)
    return sessions


def run_sheet(summit, day, tz):
    """One day's sessions in running order, with what the crew needs: room, stream, speakers, company."""
    return editor_sessions(summit, tz, day=day).select_related("room__company")
