from django.apps import AppConfig


class PartneringConfig(AppConfig):
    name = "partnering"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        """Plug partnering into the calendar feeds, the scheduler's reminders and its notices."""
        from django.db.models.signals import post_save

        from events.models import Company, Registration
        from events.signals import agenda_entries, company_page_panels, demo_seeded, people_registered, room_page_panels
        from partnering import panels, receivers, reminders
        from partnering.demo import seed_partnering
        from partnering.signals import interest_changed, meeting_changed
        from scheduler.receivers import notice_receiver
        from scheduler.signals import company_leads, notice_sources, reminder_sources

        agenda_entries.connect(receivers.agenda_meetings, dispatch_uid="partnering.agenda")
        company_leads.connect(receivers.company_leads, dispatch_uid="partnering.leads")
        post_save.connect(receivers.on_registration_saved, sender=Registration, dispatch_uid="partnering.registration")
        post_save.connect(receivers.on_company_saved, sender=Company, dispatch_uid="partnering.company")
        people_registered.connect(receivers.on_people_registered, dispatch_uid="partnering.people_registered")
        demo_seeded.connect(
            lambda sender, summit, **kwargs: seed_partnering(summit), weak=False, dispatch_uid="partnering.demo"
        )
        reminder_sources.connect(receivers.meeting_reminders, dispatch_uid="partnering.reminders")
        meeting_changed.connect(reminders.on_meeting_changed, dispatch_uid="partnering.meeting_reminders")
        notice_sources.connect(receivers.meeting_notices, dispatch_uid="partnering.meeting_notices")
        notice_sources.connect(receivers.interest_notices, dispatch_uid="partnering.interest_notices")
        meeting_changed.connect(
            notice_receiver("meeting", "meeting_id"), weak=False, dispatch_uid="partnering.meeting_notices"
        )
        interest_changed.connect(
            notice_receiver("interest", "interest_id"), weak=False, dispatch_uid="partnering.interest_notices"
        )
        company_page_panels.connect(panels.company_panel, dispatch_uid="partnering.company_panel")
        room_page_panels.connect(panels.room_panel, dispatch_uid="partnering.room_panel")
