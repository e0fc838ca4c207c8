"""Partnering in the demo summit: profiles for its companies and attendees, and Paris–Qingdao meetings.

Idempotent: profiles are filled only when first created, meetings only when
the summit has none. Meetings are booked through the services on the first
free common slots, so they always respect both sides' office hours; if the
demo days hold no common slot (a weekend), none are booked.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from events.models import Company, Profile, Registration, Speaker
from partnering import services
from partnering.models import Meeting, PartnerProfile

User = get_user_model()

# company slug: (member email, name, themes, offers, seeks)
COMPANY_CARDS = {
    "fair-vision": (
        "julien.marchetti@example.fr",
        "Julien Marchetti",
        ["AI/ICT", "Big data"],
        ["licensing"],
        ["distribution", "pilot-customer"],
    ),
    "epicnpoc": (
        "sophie.laurent@example.fr",
        "Sophie Laurent",
        ["AI/ICT", "Robotics"],
        ["rd-partner"],
        ["manufacturing", "investment"],
    ),
    "finwedge": (
        "marc.olivier@example.fr",
        "Marc Olivier",
        ["AI/ICT", "Smart manufacturing"],
        ["rd-partner", "licensing"],
        ["pilot-customer", "distribution"],
    ),
}

# attendee email: (city, themes, offers, seeks)
PEOPLE_CARDS = {
    "li.na@example.cn": (
        "Qingdao",
        ["Medical devices", "Biomedicine"],
        ["distribution", "manufacturing"],
        ["rd-partner"],
    ),
    "zhao.yang@example.cn": (
        "Qingdao",
        ["Robotics", "Smart manufacturing"],
        ["manufacturing", "pilot-customer"],
        ["rd-partner", "licensing"],
    ),
    "liu.fang@example.cn": ("Qingdao", ["Big data", "AI/ICT"], ["pilot-customer", "investment"], ["licensing"]),
    "camille.bernard@example.fr": ("Sophia Antipolis", ["AI/ICT", "Robotics"], ["rd-partner"], ["pilot-customer"]),
    "thomas.petit@example.fr": (
        "Nice",
        ["Medical devices", "Biomedicine"],
        ["investment"],
        ["distribution", "manufacturing"],
    ),
    "anna.schmidt@example.de": ("Munich", ["Robotics"], ["rd-partner"], ["manufacturing"]),
}

# (who asks, with whom: an attendee email or a company slug, accepted?)
MEETINGS = [
    ("thomas.petit@example.fr", "li.na@example.cn", True),
    ("zhao.yang@example.cn", "finwedge", True),
    ("li.na@example.cn", "fair-vision", False),
    ("camille.bernard@example.fr", "liu.fang@example.cn", False),
]


def _member(summit, company, email, name):
    user, created = User.objects.get_or_create(username=email, defaults={"email": email})
    Profile.objects.get_or_create(
        user=user,
        defaults={
            "name": name,
            "organisation": company.name,
            "country": "FR",
            "timezone": "Europe/Paris",
            "language": "fr",
        },
    )
    Registration.objects.get_or_create(summit=summit, user=user)
    company.members.add(user)
    Speaker.objects.filter(summit=summit, name=name, user__isnull=True).update(user=user)
    return user


def _fill(profile, themes, offers, seeks, city=""):
    """Only a card nobody has edited yet: what someone chose is kept."""
    if profile.offers or profile.seeks:
        return
    profile.themes, profile.offers, profile.seeks = themes, offers, seeks
    profile.city = profile.city or city
    profile.save()


@transaction.atomic
def seed_partnering(summit):
    companies = {c.slug: c for c in Company.objects.filter(summit=summit)}
    members = {}
    for slug, (email, name, *_card) in COMPANY_CARDS.items():
        if slug in companies:
            members[slug] = _member(summit, companies[slug], email, name)
    services.do_create_missing_profiles(summit)
    for slug, (_email, _name, themes, offers, seeks) in COMPANY_CARDS.items():
        card = PartnerProfile.objects.filter(summit=summit, company__slug=slug).first()
        if card:
            _fill(card, themes, offers, seeks)
    people = {u.username: u for u in User.objects.filter(username__in=PEOPLE_CARDS, registrations__summit=summit)}
    for email, (city, themes, offers, seeks) in PEOPLE_CARDS.items():
        if email in people:
            _fill(services.my_profile(people[email], summit), themes, offers, seeks, city)
    if Meeting.objects.filter(summit=summit).exists():
        return
    for asker_email, other, accepted in MEETINGS:
        asker = people.get(asker_email)
        target = people.get(other)
        them = (
            services.my_profile(target, summit)
            if target
            else PartnerProfile.objects.filter(summit=summit, company__slug=other).first()
        )
        if asker is None or them is None:
            continue
        me = services.my_profile(asker, summit)
        slots, _common = services.common_slots(me, them, summit, 30)
        if not slots:
            continue
        meeting = services.do_request_meeting(
            asker,
            summit,
            services.MeetingRequest(
                them.pk,
                slots[0]["starts_at"],
                30,
                message="Could we talk about working together between Sophia Antipolis and Qingdao?",
            ),
        )
        if accepted:
            services.do_accept(target or members[other], meeting)
