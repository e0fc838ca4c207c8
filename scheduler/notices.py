"""Notices: telling people that something happened to them, in-app (live) and by mail, exactly once.

The scheduler knows nothing about meetings or interests; apps answer
`scheduler.signals.notice_sources` with a notice source (in their `ready()`), duck-typed:

    class MeetingNotices:
        name = "meeting"
        def recipients(self, target_id, change, actor_id): -> [user ids to tell]
        def describe(self, target_id, change, user): -> {"title", "body", "url", "mail"?} or None
                                                       (called in the recipient's language;
                                                       "mail": False tells in-app only)

    notice_sources.connect(lambda **signal: MEETING_NOTICES, weak=False, dispatch_uid=...)
    meeting_changed.connect(scheduler.receivers.notice_receiver("meeting", "meeting_id"), dispatch_uid=...)

The receiver runs after the change committed and only enqueues
`scheduler.send_notices`; the task stores one Notification per person and
change (unique `key`, so a task run twice tells nobody twice), pushes it to
the person's sockets (livechat's `/ws/me/`) and mails it in the person's
language unless they turned mail off, claiming `mailed_at` first so a notice
is mailed at most once.
"""

import logging

from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from events.services import profile_for
from livechat.people import publish_to_person
from scheduler.models import NoticeSetting, Notification
from scheduler.signals import notice_sources
from scheduler.sources import unique_by_name

log = logging.getLogger(__name__)


def notice_source(name):
    return next(source for source in unique_by_name(notice_sources.parts(), "notice source") if source.name == name)


def mails_notices(user):
    setting = NoticeSetting.objects.filter(user=user).first()
    return setting is None or setting.by_mail


def do_set_mail_notices(user, by_mail):
    NoticeSetting.objects.update_or_create(user=user, defaults={"by_mail": bool(by_mail)})
    return bool(by_mail)


def unread_count(user_id):
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()


def notice_frame(notice, unread):
    """The `notification` frame the person's sockets receive."""
    return {
        "type": "notification",
        "notification": {
            "id": notice.pk,
            "kind": notice.kind,
            "title": notice.title,
            "body": notice.body,
            "url": notice.url,
            "created_at": notice.created_at.isoformat(),
            "read_at": None,
        },
        "unread": unread,
    }


class StoredNotices:
    """livechat's notice feed where there is no Redis: the notices table is how the worker's notices reach
    the web processes' sockets (livechat/people.py polls it)."""

    def latest_id(self):
        return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def frames_after(self, notice_id, user_ids, skip_ids):
        found = list(
            Notification.objects.filter(pk__gt=notice_id, user_id__in=user_ids)
            .exclude(pk__in=skip_ids)
            .order_by("pk")[:200]
        )
        return [(notice.pk, notice.user_id, notice_frame(notice, unread_count(notice.user_id))) for notice in found]


def push_live(notice):
    """After commit: the person's open pages hear of the notice and its new unread count."""
    frame = notice_frame(notice, unread_count(notice.user_id))
    transaction.on_commit(lambda: publish_to_person(notice.user_id, frame))


def do_send_notices(source_name, target_id, change, actor_id, key):
    """Tell each recipient of one change once; returns how many were told now (0 on a rerun)."""
    source = notice_source(source_name)
    told = 0
    people = (
        get_user_model().objects.select_related("profile").filter(pk__in=source.recipients(target_id, change, actor_id))
    )
    for user in people:
        profile = profile_for(user)
        with translation.override(profile.language):
            text = source.describe(target_id, change, user)
        if text is None:
            continue
        try:
            with transaction.atomic():
                notice = Notification.objects.create(
                    user=user,
                    key=key,
                    kind=change,
                    title=text["title"][:300],
                    body=text.get("body", ""),
                    url=text.get("url", ""),
                )
                push_live(notice)
        except IntegrityError:  # told already (the task ran twice)
            notice = Notification.objects.get(user=user, key=key)
        else:
            told += 1
        if text.get("mail", True):  # a source may tell in-app only (a call's "waiting" notice)
            _mail_once(notice, user, profile, text)
    return told


def _mail_once(notice, user, profile, text):
    if notice.mailed_at is not None or not user.email or not mails_notices(user):
        return
    if not Notification.objects.filter(pk=notice.pk, mailed_at__isnull=True).update(mailed_at=timezone.now()):
        return  # another run claimed it
    with translation.override(profile.language):
        context = {"name": profile.name, "notice": notice, "link": text.get("link") or notice.url}
        message = EmailMultiAlternatives(
            subject=" ".join(notice.title.split()),
            body=render_to_string("email/notice.txt", context),
            to=[user.email],
            headers={"Message-ID": notice.message_id},
        )
        message.attach_alternative(render_to_string("email/notice.html", context), "text/html")
    try:
        message.send()
    except Exception:
        # Give the claim back: the in-app notice stands, the mail is tried again if the task is retried.
        Notification.objects.filter(pk=notice.pk).update(mailed_at=None)
        raise
