"""Parts of `room.state` that other apps contribute: livechat asks them without importing them.

An app registers `build(room_id, viewers) -> [JSON-able value]` under a key in its AppConfig.ready(),
where `viewers` is [(user_id, kind)] and the answer has one value per viewer, in order; every
`room.state` then carries that key (the stage contributes `stage`). Builders run inside the
database call that reads the rest of the state, so they may use the ORM; they get every viewer of a
batch of joins at once, so a join storm costs them a few queries per batch, not per person.
"""

_parts = {}


def register(key, build):
    if key in _parts and _parts[key] is not build:
        raise RuntimeError(f"two contributions to room.state under {key!r}")
    _parts[key] = build


def parts_for(room_id, viewers):
    """[{key: part}] for `viewers` [(user_id, kind)], in order."""
    built = {key: build(room_id, viewers) for key, build in _parts.items()}
    return [{key: values[index] for key, values in built.items()} for index in range(len(viewers))]
