"""New registrations and companies get their partner profile at once, so partnering pages only read."""

from partnering.services import do_create_missing_profiles, do_create_profile


def on_registration_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        do_create_profile(instance.summit, user=instance.user)


def on_company_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        do_create_profile(instance.summit, company=instance)


def on_people_registered(sender, summit, **kwargs):
    """Registrations made in bulk (events.signals.people_registered) send no post_save."""
    do_create_missing_profiles(summit)
