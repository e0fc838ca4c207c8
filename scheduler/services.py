"""Reminders, exactly once: planning, claiming, sending, re-planning; and in-app notifications.

The rules, in the order a reminder lives them:

1. `do_dispatch_due_reminders` (beat, every minute) inserts the reminders that
   are due now, set-based, with ON CONFLICT DO NOTHING on the unique
   (source, target, user, kind, offset): planning twice plans once.
2. It then moves due rows to `queued` under `select_for_update(skip_locked)`
   and enqueues their ids on commit; a second dispatcher skips locked rows and
   finds the others no longer pending.
3. `do_send_reminder` claims a row by one conditional UPDATE to `sending` with
   a lease; whoever gets 0 rows back does nothing (duplicate message, second
   worker, redelivery). The mail carries a Message-ID fixed per reminder; the
   moment the mail server accepts it `sent_at` is written on its own, then the
   notification (unique per reminder) is made and the row set `sent`.
4. A worker that dies after the claim leaves a `sending` row whose lease runs
   out; the dispatcher queues it again, and the attempt that takes over mails
   only if no `sent_at` says the mail left. Only a death between the mail
   server's acceptance and that one UPDATE can repeat a mail, with the same
   Message-ID: see docs/scheduler.md.
"""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from events.services import profile_for
from scheduler.enqueue import enqueue
from scheduler.models import Notification, Reminder
from scheduler.notices import mails_notices, push_live
from scheduler.sources import all_sources, get_source
from summit.errors import NotFound

ACTIVE = [Reminder.Status.PENDING, Reminder.Status.QUEUED]
BATCH = 50  # reminder ids per send task
QUEUE_CHUNK = 2000  # rows locked and queued per transaction by the dispatcher


def _enqueue_sends(ids):
    """Hand ids to the workers once the rows they name are committed."""
    ids = list(ids)
    for start in range(0, len(ids), BATCH):
        enqueue("scheduler.send_reminders", ids[start : start + BATCH])


# --- planning -------------------------------------------------------------------------


def plan_due_reminders(now):
    """Insert every reminder due in (now - grace, now]; returns how many plans were offered."""
    grace = dt.timedelta(minutes=settings.REMINDER_GRACE_MINUTES)
    offered = 0
    for source in all_sources():
        for offset, scope_ids in source.offsets_by_scope(now).items():
            lead = dt.timedelta(minutes=offset)
            lo, hi = max(now + lead - grace, now), now + lead
            rows, seen = [], set()
            for plan in source.due_plans(offset, scope_ids, lo, hi):
                if (plan.target_id, plan.user_id) in seen:
                    continue
                seen.add((plan.target_id, plan.user_id))
                rows.append(
                    Reminder(
                        source=source.name,
                        target_id=plan.target_id,
                        user_id=plan.user_id,
                        offset_minutes=offset,
                        role=plan.role,
                        due_at=plan.starts_at - lead,
                    )
                )
            Reminder.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
            offered += len(rows)
    return offered


def do_dispatch_due_reminders(now=None):
    """Plan what is due, queue it once, and re-queue what a lost message or a dead worker left behind."""
    now = now or timezone.now()
    plan_due_reminders(now)
    grace = dt.timedelta(minutes=settings.REMINDER_GRACE_MINUTES)
    Reminder.objects.filter(status=Reminder.Status.PENDING, due_at__lt=now - grace).update(
        status=Reminder.Status.SKIPPED, skip_reason="late"
    )
    stale = now - dt.timedelta(seconds=settings.REMINDER_REQUEUE_SECONDS)
    ready = (
        Q(status=Reminder.Status.PENDING, due_at__lte=now)
        | Q(status=Reminder.Status.QUEUED, queued_at__lt=stale)
        | Q(status=Reminder.Status.SENDING, lease_until__lt=now)
    )
    queued = []
    while True:
        with transaction.atomic():
            ids = list(
                Reminder.objects.select_for_update(skip_locked=True)
                .filter(ready)
                .order_by("due_at")
                .values_list("pk", flat=True)[:QUEUE_CHUNK]
            )
            if ids:
                Reminder.objects.filter(pk__in=ids).filter(ready).update(status=Reminder.Status.QUEUED, queued_at=now)
                _enqueue_sends(ids)
        queued += ids
        if len(ids) < QUEUE_CHUNK:
            return queued


# --- sending --------------------------------------------------------------------------


def _claim(reminder_id, now):
    claimable = Q(status__in=ACTIVE, due_at__lte=now) | Q(status=Reminder.Status.SENDING, lease_until__lt=now)
    return (
        Reminder.objects.filter(pk=reminder_id)
        .filter(claimable)
        .update(
            status=Reminder.Status.SENDING,
            lease_until=now + dt.timedelta(seconds=settings.REMINDER_LEASE_SECONDS),
            attempts=F("attempts") + 1,
        )
    )


def _finish(reminder, **fields):
    """Only the attempt that holds the claim may close it (fenced by `attempts`)."""
    return Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.SENDING, attempts=reminder.attempts).update(
        lease_until=None, **fields
    )


def do_send_reminder(reminder_id, now=None):
    """Send one reminder if this call wins its claim; returns what happened, for logs and tests."""
    now = now or timezone.now()
    if not _claim(reminder_id, now):
        return "not-claimed"
    reminder = Reminder.objects.select_related("user").get(pk=reminder_id)
    # Described in the recipient's language: titles and places are translated content.
    with translation.override(profile_for(reminder.user).language):
        target = get_source(reminder.source).describe(reminder.target_id, reminder.user_id, reminder.role)
    if reminder.sent_at is not None:
        # An earlier attempt's mail was accepted, then it died before closing: close it, mail nothing again.
        if target is not None:
            _close_sent(reminder, _deliver(reminder, target, mail=False))
        else:
            _finish(reminder, status=Reminder.Status.SENT)
        return "sent"
    if reminder.attempts > settings.REMINDER_MAX_ATTEMPTS:
        _finish(reminder, status=Reminder.Status.SKIPPED, skip_reason="failed")
        return "failed"
    if reminder.kind == Reminder.Kind.REMINDER:
        verdict = _still_due(reminder, target, now)
        if verdict == "later":
            _finish(
                reminder,
                status=Reminder.Status.PENDING,
                due_at=target.starts_at - dt.timedelta(minutes=reminder.offset_minutes),
            )
            return "replanned"
        if verdict != "due":
            _finish(reminder, status=Reminder.Status.SKIPPED, skip_reason=verdict)
            return verdict
    elif target is None:
        _finish(reminder, status=Reminder.Status.SKIPPED, skip_reason="gone")
        return "gone"
    try:
        notice = _deliver(reminder, target)
    except Exception:
        # Mail server down: give the claim back so the next dispatch tries again within the grace time.
        _finish(reminder, status=Reminder.Status.PENDING)
        raise
    # The mail server accepted it: said at once, in a statement of its own, so an attempt that takes over
    # after this process dies closes the reminder without a second mail (docs/scheduler.md).
    reminder.sent_at = timezone.now()
    Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.SENDING, attempts=reminder.attempts).update(
        sent_at=reminder.sent_at
    )
    _close_sent(reminder, notice)
    return "sent"


def _close_sent(reminder, notice):
    """The in-app notice (one per reminder) and the row set `sent`, together."""
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            reminder=reminder, defaults={"user_id": reminder.user_id, **notice}
        )
        _finish(reminder, status=Reminder.Status.SENT)
        if created:
            push_live(notification)


def _still_due(reminder, target, now):
    if target is None or target.cancelled:
        return "cancelled"
    if not target.for_recipient:
        return "not-in-agenda"
    due = target.starts_at - dt.timedelta(minutes=reminder.offset_minutes)
    if due > now:
        return "later"
    if now >= target.starts_at or now - due > dt.timedelta(minutes=settings.REMINDER_GRACE_MINUTES):
        return "late"
    return "due"


def _deliver(reminder, target, *, mail=True):
    """Mail the reminder (unless `mail` is False) in the recipient's language and clock; returns the in-app
    notice's fields."""
    user = reminder.user
    profile = profile_for(user)
    tz = zoneinfo.ZoneInfo(profile.timezone)
    with translation.override(profile.language), timezone.override(tz):
        context = {
            "name": profile.name,
            "target": target,
            "reminder": reminder,
            "starts_local": timezone.localtime(target.starts_at, tz),
            "ends_local": timezone.localtime(target.ends_at, tz),
            "tz_name": profile.timezone,
            "is_host": reminder.role in (Reminder.Role.SPEAKER, Reminder.Role.COMPANY),
        }
        if reminder.kind == Reminder.Kind.CANCELLATION:
            subject = _("Cancelled: %(title)s") % {"title": target.title}
            template = "email/cancellation"
            body = _("“%(title)s” has been cancelled.") % {"title": target.title}
        else:
            subject = _("Starting soon: %(title)s at %(time)s") % {
                "title": target.title,
                "time": context["starts_local"].strftime("%H:%M"),
            }
            template = "email/reminder"
            body = _("%(title)s starts at %(time)s (%(tz)s) in %(place)s.") % {
                "title": target.title,
                "time": formats.date_format(context["starts_local"], "SHORT_DATETIME_FORMAT"),
                "tz": profile.timezone,
                "place": target.place,
            }
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),  # a title typed with a line break must not break the header
            body=render_to_string(f"{template}.txt", context),
            to=[user.email],
            headers={"Message-ID": reminder.message_id},
        )
        message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
        if mail and mails_notices(user):  # the person's mail setting; the in-app notice is made either way
            message.send()
    return {"kind": reminder.kind, "title": subject, "body": body, "url": target.url}


# --- changes to what is reminded of ---------------------------------------------------


def do_replan_target(source_name, target_id):
    """The target moved: pending reminders follow it (already sent ones are not sent again)."""
    source = get_source(source_name)
    pending = Reminder.objects.filter(
        source=source_name, target_id=target_id, kind=Reminder.Kind.REMINDER, status__in=ACTIVE
    )
    offsets = set(pending.values_list("offset_minutes", flat=True))
    if not offsets:
        return 0
    target = source.describe(target_id, None, None)
    if target is None:
        return 0
    moved = 0
    for offset in offsets:
        moved += pending.filter(offset_minutes=offset).update(
            status=Reminder.Status.PENDING, due_at=target.starts_at - dt.timedelta(minutes=offset)
        )
    return moved


def do_cancel_target(source_name, target_id, now=None):
    """The target was cancelled: no reminder for it any more, one cancellation notice per person instead."""
    now = now or timezone.now()
    source = get_source(source_name)
    with transaction.atomic():
        Reminder.objects.filter(
            source=source_name, target_id=target_id, kind=Reminder.Kind.REMINDER, status__in=ACTIVE
        ).update(status=Reminder.Status.SKIPPED, skip_reason="cancelled")
        target = source.describe(target_id, None, None)
        if target is None or target.ends_at <= now:
            return []
        Reminder.objects.bulk_create(
            [
                Reminder(
                    source=source_name,
                    target_id=target_id,
                    user_id=user_id,
                    role=role,
                    kind=Reminder.Kind.CANCELLATION,
                    offset_minutes=0,
                    due_at=now,
                )
                for user_id, role in source.recipients(target_id)
            ],
            batch_size=1000,
            ignore_conflicts=True,
        )
        ids = list(
            Reminder.objects.filter(
                source=source_name,
                target_id=target_id,
                kind=Reminder.Kind.CANCELLATION,
                status=Reminder.Status.PENDING,
            ).values_list("pk", flat=True)
        )
        Reminder.objects.filter(pk__in=ids, status=Reminder.Status.PENDING).update(
            status=Reminder.Status.QUEUED, queued_at=now
        )
        _enqueue_sends(ids)
    return ids


def do_restore_target(source_name, target_id):
    """A cancelled target is back on: the reminders its cancellation dropped are planned again at its
    current time (the dispatcher sends them when due, or skips them as late)."""
    dropped = Reminder.objects.filter(
        source=source_name,
        target_id=target_id,
        kind=Reminder.Kind.REMINDER,
        status=Reminder.Status.SKIPPED,
        skip_reason="cancelled",
    )
    offsets = set(dropped.values_list("offset_minutes", flat=True))
    target = get_source(source_name).describe(target_id, None, None) if offsets else None
    if target is None:
        return 0
    return sum(
        dropped.filter(offset_minutes=offset).update(
            status=Reminder.Status.PENDING, skip_reason="", due_at=target.starts_at - dt.timedelta(minutes=offset)
        )
        for offset in offsets
    )


def do_forget_recipient(source_name, target_id, user_id):
    """Someone took the target out of their agenda: their pending reminders are dropped."""
    return Reminder.objects.filter(
        source=source_name,
        target_id=target_id,
        user_id=user_id,
        kind=Reminder.Kind.REMINDER,
        role=Reminder.Role.ATTENDEE,
        status__in=ACTIVE,
    ).update(status=Reminder.Status.SKIPPED, skip_reason="not-in-agenda")


def do_restore_recipient(source_name, target_id, user_id, now=None):
    """Back in the agenda: reminders dropped by the removal and not yet due come back."""
    now = now or timezone.now()
    return Reminder.objects.filter(
        source=source_name,
        target_id=target_id,
        user_id=user_id,
        kind=Reminder.Kind.REMINDER,
        status=Reminder.Status.SKIPPED,
        skip_reason="not-in-agenda",
        due_at__gt=now,
    ).update(status=Reminder.Status.PENDING, skip_reason="")


# --- in-app notifications ---------------------------------------------------------------


def notifications_for(user, *, unread_only=False, limit=50):
    notices = Notification.objects.filter(user=user)
    if unread_only:
        notices = notices.filter(read_at__isnull=True)
    return list(notices[:limit])


def do_mark_read(user, notification_id=None, now=None):
    """Mark one notification (or, with no id, all of them) read; someone else's is not found."""
    now = now or timezone.now()
    notices = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        if not Notification.objects.filter(user=user, pk=notification_id).exists():
            raise NotFound(_("No such notification."))
        notices = notices.filter(pk=notification_id)
    return notices.update(read_at=now)


def notification_link(user, notification_id):
    return Notification.objects.filter(user=user, pk=notification_id).values_list("url", flat=True).first() or ""
