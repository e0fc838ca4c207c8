"""What livechat does when something changes, and what it adds to its own plug-in points.

Reused access decisions are dropped the moment what they rest on changes (see access_live_room).

A person's decisions go when their registration is saved or deleted, their
account changes (staff flags) or they sign out; everybody's go when a room,
a session, its speakers, a room's invitations or a company's members change.
The version lives in Django's cache, so every process stops reusing at once.

Polls are one of the live features that plug into the room like any other app would: their part of
`room.state` and their once-per-tick results (livechat.signals).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import m2m_changed, post_delete, post_save

from events.models import Company, Registration, Room, Session, Speaker, Summit
from events.signals import session_changed
from livechat import polls
from livechat.modules.polls import publish_results
from livechat.services import forget_live_access
from livechat.signals import room_state_parts, room_tick


def person_changed(sender, instance, **kwargs):
    forget_live_access(instance.pk if sender is get_user_model() else instance.user_id)


def signed_out(sender, user, **kwargs):
    if user is not None:
        forget_live_access(user.pk)


def rooms_changed(sender, **kwargs):
    forget_live_access()


def polls_part(room_id, viewers, languages=None, **signal):
    return {"polls": polls.polls_for(room_id, viewers, languages)}


def connect():
    for signal in (post_save, post_delete):
        signal.connect(person_changed, sender=Registration, dispatch_uid=f"livechat.access.registration.{id(signal)}")
        signal.connect(person_changed, sender=get_user_model(), dispatch_uid=f"livechat.access.user.{id(signal)}")
        for model in (Summit, Room, Session, Speaker):
            signal.connect(rooms_changed, sender=model, dispatch_uid=f"livechat.access.{model.__name__}.{id(signal)}")
    for through in (Room.invited.through, Company.members.through, Session.speakers.through):
        m2m_changed.connect(rooms_changed, sender=through, dispatch_uid=f"livechat.access.{through.__name__}")
    session_changed.connect(rooms_changed, dispatch_uid="livechat.access.session_changed")
    user_logged_out.connect(signed_out, dispatch_uid="livechat.access.signed_out")
    room_state_parts.connect(polls_part, dispatch_uid="livechat.polls.room_state")
    room_tick.connect(publish_results, dispatch_uid="livechat.polls.results")
