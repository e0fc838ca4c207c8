from django.apps import AppConfig


class PartneringConfig(AppConfig):
    name = "partnering"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from events.calendar import register_agenda_source
        from django.db.models.signals import post_save

        from events.models import Company, Registration
        from events.signals import demo_seeded, people_registered
        from partnering import receivers, reminders
        from partnering.demo import seed_partnering
        from partnering.services import leads, meeting_entries
        from partnering.signals import meeting_changed
        from scheduler.reports import register_leads_provider
        from scheduler.sources import register_source

        register_agenda_source(meeting_entries)
        register_leads_provider(leads)
        post_save.connect(receivers.on_registration_saved, sender=Registration, dispatch_uid="partnering.registration")
        post_save.connect(receivers.on_company_saved, sender=Company, dispatch_uid="partnering.company")
        people_registered.connect(receivers.on_people_registered, dispatch_uid="partnering.people_registered")
        demo_seeded.connect(lambda sender, summit, **kwargs: seed_partnering(summit), weak=False,
                            dispatch_uid="partnering.demo")
        register_source(reminders.MeetingSource())
        meeting_changed.connect(reminders.on_meeting_changed, dispatch_uid="partnering.meeting_reminders")
