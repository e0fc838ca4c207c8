from django.apps import AppConfig


class PartneringConfig(AppConfig):
    name = "partnering"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        """Plug partnering into the calendar feeds, the scheduler's reminders and its notices."""
        from django.db.models.signals import post_save

        from events.calendar import register_agenda_source
        from events.models import Company, Registration
        from events.panels import register_panel
        from events.signals import demo_seeded, people_registered
        from partnering import notices, panels, receivers, reminders
        from partnering.demo import seed_partnering
        from partnering.services import leads, meeting_entries
        from partnering.signals import interest_changed, meeting_changed
        from scheduler.notices import register_notice_source
        from scheduler.receivers import notice_receiver
        from scheduler.reports import register_leads_provider
        from scheduler.sources import register_source

        register_agenda_source(meeting_entries)
        register_leads_provider(leads)
        post_save.connect(receivers.on_registration_saved, sender=Registration, dispatch_uid="partnering.registration")
        post_save.connect(receivers.on_company_saved, sender=Company, dispatch_uid="partnering.company")
        people_registered.connect(receivers.on_people_registered, dispatch_uid="partnering.people_registered")
        demo_seeded.connect(
            lambda sender, summit, **kwargs: seed_partnering(summit), weak=False, dispatch_uid="partnering.demo"
        )
        register_source(reminders.MeetingSource())
        meeting_changed.connect(reminders.on_meeting_changed, dispatch_uid="partnering.meeting_reminders")
        register_notice_source(notices.MeetingNotices())
        register_notice_source(notices.InterestNotices())
        meeting_changed.connect(
            notice_receiver("meeting", "meeting_id"), weak=False, dispatch_uid="partnering.meeting_notices"
        )
        interest_changed.connect(
            notice_receiver("interest", "interest_id"), weak=False, dispatch_uid="partnering.interest_notices"
        )
        register_panel("company", panels.company_panel)
        register_panel("room", panels.room_panel)
