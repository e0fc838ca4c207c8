"""Attendance: leaving, heartbeats, and closing intervals a dead process left open."""

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from livechat.attendance_totals import do_fold_closed_attendance
from livechat.models import (
    Attendance,
)
from livechat.services.limits import STALE_ATTENDANCE_AFTER


def do_leave_room(attendance_id):
    """Close the interval and fold it into the report's totals, once: only the UPDATE that closed it folds."""
    with transaction.atomic():
        if Attendance.objects.filter(pk=attendance_id, left_at__isnull=True).update(left_at=timezone.now()):
            do_fold_closed_attendance([attendance_id])


def do_heartbeat(attendance_ids):
    """Mark the sockets a process still holds as seen, then close intervals nobody refreshes any more."""
    now = timezone.now()
    if attendance_ids:
        Attendance.objects.filter(pk__in=attendance_ids, left_at__isnull=True).update(last_seen_at=now)
    return close_stale_attendance(now=now)


def close_stale_attendance(now=None, stale_after=STALE_ATTENDANCE_AFTER):
    """Close intervals left open by a process that died, at the last time it was seen.

    Safe to call from any process, beat or a management command, as often as wanted: the rows are
    locked first (skipping those another closer holds), so each is closed and folded by one caller.
    """
    cutoff = (now or timezone.now()) - stale_after
    with transaction.atomic():
        stale = list(
            Attendance.objects.select_for_update(skip_locked=True)
            .filter(left_at__isnull=True)
            .filter(Q(last_seen_at__lt=cutoff) | Q(last_seen_at__isnull=True, joined_at__lt=cutoff))
            .values_list("pk", flat=True)
        )
        Attendance.objects.filter(pk__in=stale).update(left_at=Coalesce("last_seen_at", "joined_at"))
        do_fold_closed_attendance(stale)
    return len(stale)
