"""Celery tasks of the stage: thin, named, given ids, safe to run twice (the services decide)."""

import logging

from celery import shared_task

from stage.services import replays

log = logging.getLogger(__name__)


@shared_task(name="stage.remux_recording")
def remux_recording(recording_id):
    log.info("recording %s: %s", recording_id, replays.do_remux(recording_id))
