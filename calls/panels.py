"""The call in a meeting room's page (events.panels "room", registered in apps.py)."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from calls import services
from events.models import Room
from partnering.models import Meeting


def _labels():
    """Every string static/js/call.js shows, translated here."""
    return {
        "joining": _("Joining the call…"),
        "in_call": _("You are in the call."),
        "alone": _("You are in the call. The others have not joined yet."),
        "left": _("You left the call."),
        "ended": _("The meeting was cancelled: the call has ended."),
        "waiting": _("%(name)s is waiting in the meeting room."),
        "audio_only": _("Your camera is missing or was refused: you join with sound only."),
        "listen_only": _("Your camera and microphone are missing or were refused: you can watch and listen only."),
        "no_camera": _("No camera"),
        "mute": _("Mute"),
        "unmute": _("Unmute"),
        "camera_off": _("Camera off"),
        "camera_on": _("Camera on"),
        "share": _("Share screen"),
        "stop_share": _("Stop sharing"),
        "share_failed": _("The screen could not be shared."),
        "reconnecting": _("Reconnecting to %(name)s…"),
        "no_credentials": _("The call is not open right now."),
        "weak": _("Your connection is weak: the call continues with sound only."),
        "better": _("Your connection is better again: you can turn the camera back on."),
        "sound_only": _("%(name)s (weak connection: sound only)"),
    }


def call_panel(request, summit, room, session, **signal):
    if room.kind != Room.Kind.MEETING:
        return ""
    meeting = Meeting.objects.filter(room=room).first()
    if meeting is None:
        return ""
    context = {
        "meeting": meeting,
        "may_join": services.may_join(request.user, meeting),
        "credentials_url": reverse("api:call_credentials", args=[meeting.pk]),
        "labels": _labels(),
    }
    return render_to_string("calls/_call_panel.html", context, request=request)


def _colleague_labels():
    """Every string static/js/colleagues.js shows, translated here."""
    return {
        "added": _("%(name)s now sits in the meeting: they can open the meeting room and join the call."),
        "removed": _("%(name)s no longer sits in the meeting."),
        "remove": _("Remove"),
        "failed": _("That did not work. Check your connection and try again."),
        "none_left": _("Everyone in your company's team already sits in this meeting."),
    }


def colleagues_panel(request, summit, meeting, **signal):
    """partnering.signals.meeting_page_panels: bring up to two colleagues into the meeting and its call."""
    panel = services.colleagues_panel(request.user, meeting)
    if panel is None:
        return ""
    context = {
        **panel,
        "meeting": meeting,
        "api_url": reverse("api:add_colleague", args=[meeting.pk]),
        "labels": _colleague_labels(),
    }
    return render_to_string("calls/_colleagues.html", context, request=request)
