"""Parts of `room.state` that other apps contribute: livechat asks them without importing them.

An app registers `build(room_id, user_id, kind) -> JSON-able value` under a key in its AppConfig.ready();
every `room.state` then carries that key (the stage contributes `stage`). Builders run inside the
database call that reads the rest of the state, so they may use the ORM.
"""

_parts = {}


def register(key, build):
    if key in _parts and _parts[key] is not build:
        raise RuntimeError(f"two contributions to room.state under {key!r}")
    _parts[key] = build


def parts_for(room_id, user_id, kind):
    return {key: build(room_id, user_id, kind) for key, build in _parts.items()}
