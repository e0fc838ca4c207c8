"""The demo summit: the Sophia Antipolis – Qingdao roadshow, built from the article it started from.

Dates are laid relative to the day the demo is first seeded, so that a fresh
`make run` always has something live, something coming up and something past.
Seeding again changes nothing that exists.
"""

import datetime as dt
import secrets
import zoneinfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from events.models import Company, Profile, Registration, Room, Session, Speaker, Summit, Track

User = get_user_model()
PARIS = zoneinfo.ZoneInfo("Europe/Paris")

SUMMIT_SLUG = "sophia-qingdao-ai-ict-roadshow"
THEMES = ["AI/ICT", "Big data", "Robotics", "Biomedicine", "Medical devices", "Smart manufacturing"]

COMPANIES = [
    ("fair-vision", "Fair Vision", "Digital and photovoltaic innovations to track and analyse competitive sports.",
     ["AI/ICT", "Big data"]),
    ("epicnpoc", "Epicnpoc", "Innovation experts in design and software engineering.", ["AI/ICT", "Robotics"]),
    ("finwedge", "Finwedge", "Innovation experts in design and software engineering.",
     ["AI/ICT", "Smart manufacturing"]),
]

ROOMS = [
    ("main-stage", "Main stage", Room.Kind.STAGE, None),
    ("fair-vision", "Fair Vision pitch room", Room.Kind.PITCH, "fair-vision"),
    ("epicnpoc", "Epicnpoc pitch room", Room.Kind.PITCH, "epicnpoc"),
    ("finwedge", "Finwedge pitch room", Room.Kind.PITCH, "finwedge"),
    ("lounge", "Networking lounge", Room.Kind.LOUNGE, None),
]

SPEAKERS = [
    ("claire-dumas", "Claire Dumas", "Head of international cooperation", "Fondation Sophia Antipolis", None),
    ("wang-lei", "Wang Lei", "Director, European cooperation office", "Qingdao High-tech Zone", None),
    ("julien-marchetti", "Julien Marchetti", "Founder", "Fair Vision", "fair-vision"),
    ("sophie-laurent", "Sophie Laurent", "CEO", "Epicnpoc", "epicnpoc"),
    ("marc-olivier", "Marc Olivier", "CTO", "Finwedge", "finwedge"),
    ("zhang-min", "Zhang Min", "Professor of rehabilitation engineering",
     "University of Health and Rehabilitation Sciences", None),
    ("chen-jing", "Chen Jing", "Investment manager", "EUPIC – EU Project Innovation Centre", None),
]

# (day offset, Paris start "HH:MM", minutes, room, track, title, speakers, company, language)
PROGRAMME = [
    (0, "09:00", 30, "main-stage", "cooperation", "Opening: Sophia Antipolis meets the Qingdao High-tech Zone",
     ["claire-dumas", "wang-lei"], None, "en"),
    (0, "09:30", 60, "main-stage", "ai-big-data", "AI and big data: building joint industrial clusters",
     ["claire-dumas", "chen-jing"], None, "en"),
    (0, "08:30", 600, "lounge", None, "Open networking lounge", [], None, "en"),
    (1, "09:00", 30, "fair-vision", "ai-big-data", "Fair Vision pitch: seeing every move of the game",
     ["julien-marchetti"], "fair-vision", "en"),
    (1, "09:40", 30, "epicnpoc", "ai-big-data", "Epicnpoc pitch: from idea to engineered software",
     ["sophie-laurent"], "epicnpoc", "fr"),
    (1, "10:20", 30, "finwedge", "smart-manufacturing", "Finwedge pitch: software for smart manufacturing",
     ["marc-olivier"], "finwedge", "en"),
    (1, "10:00", 60, "main-stage", "cooperation", "230 foreign-invested companies: doing business in Qingdao",
     ["wang-lei", "chen-jing"], None, "zh-hans"),
    (2, "09:00", 60, "main-stage", "health", "Biomedicine and next-generation medical devices: a rehabilitation bay",
     ["zhang-min", "claire-dumas"], None, "en"),
    (2, "10:00", 45, "main-stage", "smart-manufacturing", "Robotics and smart manufacturing: what comes next",
     ["wang-lei", "marc-olivier"], None, "en"),
    (2, "10:45", 15, "main-stage", "cooperation", "Closing: from online summit to physical cooperation",
     ["claire-dumas", "wang-lei"], None, "en"),
]

TRACKS = [
    ("cooperation", "Cooperation", "#1f5f8b"),
    ("ai-big-data", "AI and big data", "#6b3fa0"),
    ("health", "Biomedicine and medical devices", "#1e7a4c"),
    ("smart-manufacturing", "Robotics and smart manufacturing", "#a35a12"),
]

ATTENDEES = [
    ("li.na@example.cn", "Li Na", "Qingdao Rehabilitation Devices Co.", "CN", "Asia/Shanghai", "zh-hans"),
    ("zhao.yang@example.cn", "Zhao Yang", "Haier Robotics Lab", "CN", "Asia/Shanghai", "zh-hans"),
    ("liu.fang@example.cn", "Liu Fang", "Qingdao Big Data Institute", "CN", "Asia/Shanghai", "en"),
    ("camille.bernard@example.fr", "Camille Bernard", "Inria Sophia Antipolis", "FR", "Europe/Paris", "fr"),
    ("thomas.petit@example.fr", "Thomas Petit", "MedTech Riviera", "FR", "Europe/Paris", "fr"),
    ("anna.schmidt@example.de", "Anna Schmidt", "Bavarian Robotics Cluster", "DE", "Europe/Berlin", "en"),
]


def _at(first_day, offset, hhmm):
    hour, minute = map(int, hhmm.split(":"))
    return dt.datetime.combine(first_day + dt.timedelta(days=offset), dt.time(hour, minute), tzinfo=PARIS)


def _person(email, name, organisation, country, tz, language):
    user, _created = User.objects.get_or_create(username=email, defaults={"email": email})
    Profile.objects.get_or_create(
        user=user,
        defaults={"name": name, "organisation": organisation, "country": country, "timezone": tz,
                  "language": language},
    )
    return user


@transaction.atomic
def seed_demo(password=None):
    """Creates the demo summit if missing; returns (summit, organiser password or None if unchanged)."""
    first_day = timezone.localdate(timezone=PARIS)
    summit, created = Summit.objects.get_or_create(
        slug=SUMMIT_SLUG,
        defaults={
            "name": "Sophia Antipolis Innovation Roadshow on AI and ICT Digital",
            "tagline": "European science parks meet the Qingdao High-tech Zone",
            "description": (
                "A joint online roadshow of the Fondation Sophia Antipolis and the Qingdao National High-tech "
                "Industrial Development Zone. Innovative companies pitch live to find partners in Qingdao; "
                "themes run from AI and big data to robotics, biomedicine and next-generation medical devices."
            ),
            "organised_with": "Qingdao High-tech Zone",
            "timezone": "Europe/Paris",
            "partner_timezone": "Asia/Shanghai",
            "languages": ["en", "fr", "zh-hans"],
            "themes": THEMES,
            "starts_on": first_day,
            "ends_on": first_day + dt.timedelta(days=2),
            "reminder_offsets": [24 * 60, 15],
        },
    )
    if not created:
        first_day = summit.starts_on
    tracks = {}
    for slug, name, colour in TRACKS:
        tracks[slug], _ = Track.objects.get_or_create(summit=summit, slug=slug,
                                                      defaults={"name": name, "colour": colour})
    companies = {}
    for slug, name, tagline, themes in COMPANIES:
        companies[slug], _ = Company.objects.get_or_create(
            summit=summit, slug=slug, defaults={"name": name, "tagline": tagline, "country": "FR", "themes": themes}
        )
    rooms = {}
    for position, (slug, name, kind, company) in enumerate(ROOMS):
        rooms[slug], _ = Room.objects.get_or_create(
            summit=summit, slug=slug,
            defaults={"name": name, "kind": kind, "company": companies.get(company), "position": position,
                      "is_moderated": kind == Room.Kind.STAGE},
        )
    speakers = {}
    for key, name, title, organisation, company in SPEAKERS:
        speakers[key], _ = Speaker.objects.get_or_create(
            summit=summit, name=name,
            defaults={"title": title, "organisation": organisation, "company": companies.get(company)},
        )
    for offset, start, minutes, room, track, title, speaker_keys, company, language in PROGRAMME:
        starts_at = _at(first_day, offset, start)
        session, made = Session.objects.get_or_create(
            summit=summit, title=title,
            defaults={"room": rooms[room], "track": tracks.get(track), "starts_at": starts_at,
                      "ends_at": starts_at + dt.timedelta(minutes=minutes), "company": companies.get(company),
                      "language": language},
        )
        if made:
            session.speakers.set([speakers[k] for k in speaker_keys])

    organiser, made = User.objects.get_or_create(
        username="organiser", defaults={"email": "organiser@example.org", "is_staff": True}
    )
    new_password = None
    if made or password:
        new_password = password or secrets.token_urlsafe(12)
        organiser.set_password(new_password)
        organiser.save()
    Profile.objects.get_or_create(user=organiser, defaults={"name": "Roadshow organiser",
                                                            "organisation": "Fondation Sophia Antipolis",
                                                            "country": "FR", "timezone": "Europe/Paris",
                                                            "language": "fr"})
    Registration.objects.update_or_create(summit=summit, user=organiser,
                                          defaults={"role": Registration.Role.ORGANISER})
    for person in ATTENDEES:
        Registration.objects.get_or_create(summit=summit, user=_person(*person))
    return summit, new_password
