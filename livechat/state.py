"""Parts of `room.state` that live features add beside chat and questions (polls, ...).

A feature registers `@state_part("polls")` on a function `(room_id, session_id,
user_id, kind) -> JSON-ready value`; `do_enter_room` calls every registered part
in the same call that reads the rest of the state, so the features stay in
their own modules and services.py does not import them.
"""

STATE_PARTS = {}


def state_part(name):
    def register(part):
        if name in STATE_PARTS:
            raise RuntimeError(f"two room.state parts called {name}")
        STATE_PARTS[name] = part
        return part

    return register


def state_parts(room_id, session_id, user_id, kind):
    return {name: part(room_id, session_id, user_id, kind) for name, part in STATE_PARTS.items()}
