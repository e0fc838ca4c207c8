"""The calls' Celery task: a thin wrapper over its service, idempotent (the notice's key)."""

import logging

from celery import shared_task

from calls import services

log = logging.getLogger(__name__)


@shared_task(name="calls.mail_if_not_joined")
def mail_if_not_joined(meeting_id, waiting_id):
    told = services.do_mail_if_not_joined(meeting_id, waiting_id)
    log.info("meeting %s: %d told that %s is waiting", meeting_id, told, waiting_id)
