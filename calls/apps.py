from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = "Meeting calls"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        """Plug the call into the meeting room: its socket frames, its panels, its notices, the meeting's end."""
        from calls import notices, panels, receivers, socket, tasks  # noqa: F401  (socket and tasks register themselves)
        from events.signals import room_page_panels
        from livechat.signals import room_socket_closed
        from partnering.signals import meeting_changed, meeting_page_panels
        from scheduler.signals import notice_sources

        room_socket_closed.connect(socket.leave_on_close, dispatch_uid="calls.leave_on_close")
        room_page_panels.connect(panels.call_panel, dispatch_uid="calls.panel")
        meeting_page_panels.connect(panels.colleagues_panel, dispatch_uid="calls.colleagues_panel")
        notice_sources.connect(receivers.call_notices, dispatch_uid="calls.notices")
        meeting_changed.connect(receivers.on_meeting_changed, dispatch_uid="calls.meeting_changed")
