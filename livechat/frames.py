"""Reading a client's text frame: JSON, one object with a type, and only text that can be stored.

Everything a frame carries may end up in PostgreSQL and in frames sent to
others, so text that neither can hold is refused here, once, for every
command: a NUL (refused by the HTTP side too, see summit/middleware.py) and a
lone UTF-16 surrogate such as "\\ud800", which JSON can spell but UTF-8
cannot encode. Nesting deep enough to exhaust the parser is refused the same
way. Each refusal is an `Invalid` error, so the socket stays open.
"""

import json

from django.utils.translation import gettext as _

from summit.errors import Invalid

# How a NUL arrives in JSON text: raw (JSON forbids it, but a parser may not) or escaped.
NUL_MARKERS = ("\x00", "\\u0000")


def parse_frame(text):
    """The frame as a dict with a string `type`, or Invalid saying what is wrong with it."""
    if any(marker in text for marker in NUL_MARKERS):
        raise Invalid(_("Text may not contain NUL characters."))
    try:
        frame = json.loads(text)
    except (ValueError, RecursionError):
        raise Invalid(_("Frames must be JSON.")) from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise Invalid(_("A frame is a JSON object with a type."))
    # Only an escape (\uD800) can produce a lone surrogate: valid UTF-8 on the wire cannot.
    if "\\u" in text and not _encodable(frame):
        raise Invalid(_("Text must be valid Unicode."))
    return frame


def client_id_of(frame):
    """The frame's client_id when it can be echoed back in an error frame, else None."""
    client_id = frame.get("client_id")
    return client_id if isinstance(client_id, str) and _encodable(client_id) else None


def _encodable(value):
    """True when every string in `value` (keys included) encodes to UTF-8."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True
