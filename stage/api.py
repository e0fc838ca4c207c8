"""The stage's JSON API: translation between HTTP and the stage's services, nothing more."""

import datetime as dt

from ninja import Router, Schema, Status
from ninja.security import django_auth

from events.services import access_room, access_summit
from stage.services import channels, replays, restream
from stage.views import announce

router = Router(tags=["stage"])


class StreamOut(Schema):
    language: str
    label: str
    kind: str
    url: str
    live: bool


class RecordingOut(Schema):
    id: int
    session_id: int | None
    language: str
    started_at: dt.datetime
    duration_s: float | None
    url: str
    page_url: str
    hidden: bool


class StageOut(Schema):
    status: str
    streams: list[StreamOut]
    default_language: str
    recordings: list[RecordingOut]


class KeyOut(Schema):
    language: str
    label: str
    use: str
    stream_key: str
    live: bool
    on_air: bool
    preview_url: str


class IngestOut(Schema):
    server: str
    status: str
    keys: list[KeyOut]


class TargetIn(Schema):
    url: str
    stream_key: str = ""


class TargetOut(Schema):
    id: int
    url: str
    stream_key: str


class RecordingPatch(Schema):
    hidden: bool


@router.get("/summits/{slug}/rooms/{room}/stage/", response=StageOut, auth=django_auth, url_name="stage")
def get_stage(request, slug: str, room: str):
    return channels.stage_for(request.user, slug, room)


@router.get("/summits/{slug}/rooms/{room}/ingest/", response=IngestOut, auth=django_auth, url_name="ingest")
def get_ingest(request, slug: str, room: str):
    return channels.ingest_for(channels.access_ingest(request.user, slug, room))


@router.post("/summits/{slug}/rooms/{room}/ingest/rotate/", response=IngestOut, auth=django_auth)
def rotate_keys(request, slug: str, room: str):
    return channels.do_rotate_keys(channels.access_ingest(request.user, slug, room))


@router.post("/summits/{slug}/rooms/{room}/ingest/on-air/", response=IngestOut, auth=django_auth)
def put_on_air(request, slug: str, room: str):
    room = access_room(access_summit(slug), room)
    announce(channels.do_put_on_air(request.user, room))
    return channels.ingest_for(room)


@router.get("/summits/{slug}/rooms/{room}/restream/", response=list[TargetOut], auth=django_auth)
def list_restream_targets(request, slug: str, room: str):
    return restream.restream_targets(request.user, access_room(access_summit(slug), room))


@router.post("/summits/{slug}/rooms/{room}/restream/", response={201: TargetOut}, auth=django_auth)
def add_restream_target(request, slug: str, room: str, payload: TargetIn):
    room = access_room(access_summit(slug), room)
    return Status(201, restream.do_add_restream_target(request.user, room, payload.url, payload.stream_key))


@router.delete("/summits/{slug}/rooms/{room}/restream/{target_id}/", response={204: None}, auth=django_auth)
def remove_restream_target(request, slug: str, room: str, target_id: int):
    restream.do_remove_restream_target(request.user, access_room(access_summit(slug), room), target_id)
    return Status(204, None)


@router.patch("/summits/{slug}/recordings/{recording_id}/", response=RecordingOut, auth=django_auth)
def update_recording(request, slug: str, recording_id: int, payload: RecordingPatch):
    summit = access_summit(slug)
    recording = replays.do_set_hidden(replays.access_recording(request.user, summit, recording_id), payload.hidden)
    return channels.recording_view(recording)
