"""New registrations and companies get their partner profile at once, so partnering pages only read;
and what partnering answers when a lower app asks (agenda feeds, reminders, notices, the report's leads).
"""

from partnering import notices, reminders
from partnering.services import do_create_missing_profiles, do_create_profile, leads, meeting_entries

MEETING_REMINDERS = reminders.MeetingSource()
MEETING_NOTICES = notices.MeetingNotices()
INTEREST_NOTICES = notices.InterestNotices()


def on_registration_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        do_create_profile(instance.summit, user=instance.user)


def on_company_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        do_create_profile(instance.summit, company=instance)


def on_people_registered(sender, summit, **kwargs):
    """Registrations made in bulk (events.signals.people_registered) send no post_save."""
    do_create_missing_profiles(summit)


def agenda_meetings(user, **signal):
    """events.signals.agenda_entries: the person's meetings in their agenda feed."""
    return meeting_entries(user)


def meeting_reminders(**signal):
    return MEETING_REMINDERS


def meeting_notices(**signal):
    return MEETING_NOTICES


def interest_notices(**signal):
    return INTEREST_NOTICES


def company_leads(summit, companies, now, **signal):
    return leads(summit, companies, now=now)
