from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = "Meeting calls"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        """Plug the call into the meeting room: its socket frames, its panel, its notices, the meeting's end."""
        from calls import notices, panels, receivers, socket, tasks  # noqa: F401  (socket and tasks register themselves)
        from events.panels import register_panel
        from livechat.modules.base import on_socket_closed
        from partnering.signals import meeting_changed
        from scheduler.notices import register_notice_source

        on_socket_closed(socket.leave_on_close)
        register_panel("room", panels.call_panel)
        register_notice_source(notices.CallNotices())
        meeting_changed.connect(receivers.on_meeting_changed, dispatch_uid="calls.meeting_changed")
