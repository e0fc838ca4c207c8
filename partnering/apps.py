from django.apps import AppConfig


class PartneringConfig(AppConfig):
    name = "partnering"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        """Plug partnering into the calendar feeds, the scheduler's reminders and its notices."""
        from events.calendar import register_agenda_source
        from events.panels import register_panel
        from partnering import notices, panels, reminders
        from partnering.services import meeting_entries
        from partnering.signals import interest_changed, meeting_changed
        from scheduler.notices import register_notice_source
        from scheduler.receivers import notice_receiver
        from scheduler.sources import register_source

        register_agenda_source(meeting_entries)
        register_source(reminders.MeetingSource())
        meeting_changed.connect(reminders.on_meeting_changed, dispatch_uid="partnering.meeting_reminders")
        register_notice_source(notices.MeetingNotices())
        register_notice_source(notices.InterestNotices())
        meeting_changed.connect(notice_receiver("meeting", "meeting_id"), weak=False,
                                dispatch_uid="partnering.meeting_notices")
        interest_changed.connect(notice_receiver("interest", "interest_id"), weak=False,
                                 dispatch_uid="partnering.interest_notices")
        register_panel("company", panels.company_panel)
        register_panel("room", panels.room_panel)
