"""The live room page: the HTML shell that room.js fills from the room's websocket."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language_info, ngettext
from django.utils.translation import gettext as _

from events import services
from events.models import Room
from events.signals import room_page_panels
from livechat import polls
from livechat import services as live
from livechat.routing import room_socket_path
from livechat.signals import stage_panels

REACTIONS = ["👏", "❤️", "🎉", "💡", "❓"]


def _labels():
    """Every string room.js shows, translated here because the script has no catalogue of its own.

    Plural forms are sent as one entry per CLDR category the script's Intl.PluralRules may pick.
    """
    return {
        "connecting": _("Connecting…"),
        "live": _("Live"),
        "reconnecting": _("Reconnecting…"),
        "signed_out": _("You are signed out. Sign in again to join the room."),
        "forbidden": _("This room is not open to you."),
        "not_found": _("This room no longer exists."),
        "too_many_sockets": _(
            "This room is open in too many of your tabs or windows. Close one, then reload this page."
        ),
        "delete": _("Delete"),
        "delete_confirm": _("Delete this message for everyone?"),
        "mute": _("Mute for 15 minutes"),
        "muted": _("Muted in this room until %(time)s."),
        "sending": _("Sending…"),
        "not_sent": _("Not sent"),
        "anonymous": _("Anonymous"),
        "deleted_user": _("deleted user"),
        "you": _("you"),
        "vote": _("Vote for this question"),
        "unvote": _("Withdraw your vote"),
        "votes": {
            "one": ngettext("%(count)s vote", "%(count)s votes", 1),
            "other": ngettext("%(count)s vote", "%(count)s votes", 2),
        },
        "presence": {
            "one": ngettext("%(count)s person here", "%(count)s people here", 1),
            "other": ngettext("%(count)s person here", "%(count)s people here", 2),
        },
        "approve": _("Approve"),
        "answer": _("Mark answered"),
        "dismiss": _("Dismiss"),
        "pin": _("Pin"),
        "unpin": _("Unpin"),
        "pending": _("Awaiting approval"),
        "answered": _("Answered"),
        "dismissed": _("Dismissed"),
        "pinned": _("Pinned"),
        "polls": _poll_labels(),
        "errors": {
            "invalid": _("That could not be sent."),
            "forbidden": _("You may not do that here."),
            "not_found": _("That is no longer there."),
            "too_large": _("That is too long."),
            "rate_limited": _("Slow down a little, then try again."),
            "unavailable": _("The room is briefly unavailable; we will resend it."),
        },
    }


def _poll_labels():
    """The polls panel's strings (static/js/polls.js)."""
    return {
        "vote": _("Vote"),
        "save_vote": _("Save my vote"),
        "change_vote": _("Change my vote"),
        "close": _("Close the poll"),
        "closed": _("Closed"),
        "your_choice": _("your choice"),
        "choose_one": _("Choose one answer."),
        "choose_several": _("Choose one or more answers."),
        "choose_first": _("Choose an answer first."),
        "same_options": _(
            "Write as many options in this language as in the first one, in the same order, or none at all."
        ),
        "voted_announce": _("Your vote is counted."),
        "closed_announce": _("The poll “%(question)s” is closed: final results are shown."),
        "votes": {
            "one": ngettext("%(count)s vote", "%(count)s votes", 1),
            "other": ngettext("%(count)s vote", "%(count)s votes", 2),
        },
        "voters": {
            "one": ngettext("%(count)s person voted", "%(count)s people voted", 1),
            "other": ngettext("%(count)s person voted", "%(count)s people voted", 2),
        },
    }


def room(request, slug, room_slug):
    # The socket's own rule, so the page never opens onto a socket that would refuse it.
    access = live.access_live_room(request.user, slug, room_slug)
    room = live.entered_room(access)
    summit = room.summit
    now = timezone.now()
    session = services.live_session(room, now)
    context = {
        "summit": summit,
        "room": room,
        "session": session,
        "speakers": session.speakers.all() if session else [],
        "next_session": None if session else services.next_session_in(room, now),
        # A private 1:1 meeting shows only what the meeting needs: chat, and the meeting's panel (agenda, video).
        "has_questions": room.kind not in (Room.Kind.LOUNGE, Room.Kind.MEETING),
        "is_meeting": room.kind == Room.Kind.MEETING,
        "panels": [
            html for html in room_page_panels.parts(request=request, summit=summit, room=room, session=session) if html
        ],
        "ws_path": room_socket_path(summit.slug, room.slug),
        "signin_url": f"{reverse('signin')}?{urlencode({'next': request.path})}",
        "reactions": REACTIONS,
        # The moderator's poll form: one question and one list of options per language, named in the page's.
        "poll_languages": [(code, get_language_info(code)["name_translated"]) for code in polls.poll_languages(summit)],
        "labels": _labels(),
        "stage_panels": [html for html in stage_panels.parts(request=request, room=room, session=session) if html],
    }
    return render(request, "livechat/room.html", context)
