"""What a room's event is on the way to its sockets: its seq and its texts, each JSON-encoded once.

The process that stored an event encodes it here, once per distinct view (usually one text for everybody),
and publishes the envelope once (livechat/hub.py); every process builds each text's websocket frame once
and writes it to all the sockets that see that text.
"""

import json

from livechat import services
from livechat.wire import text_frame


def encode(frame):
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


class Envelope:
    """An event as every process receives it: its seq and its texts, already encoded.

    Each text becomes one websocket frame per process (`frame_of`), written
    as is to every socket that sees that text.
    """

    __slots__ = ("seq", "actor", "texts", "frames", "by_language")

    def __init__(self, seq, actor, texts):
        self.seq = seq
        self.actor = actor
        self.texts = texts
        self.frames = {}
        self.by_language = any("@" in key for key in texts)  # a poll's: some readers get their language's

    def frame_of(self, text):
        frame = self.frames.get(text)
        if frame is None:
            frame = self.frames[text] = text_frame(text)
        return frame

    @classmethod
    def of_event(cls, payload):
        """One encoding per distinct view: a chat message is encoded once for everybody.

        An event that reads differently per language (a poll's) also gets `<key>@<language>` texts for
        the languages it was written in, where they differ from the original's (`<key>`).
        """
        actor = services.actor_of(payload)
        languages = services.languages_of(payload)
        views = {}
        for kind in services.VIEWER_KINDS:
            for key, user_id in ((kind, None), (f"own:{kind}", actor)):
                if key != kind and actor is None:
                    continue
                views[key] = services.view_for(payload, user_id, kind)
                for language in languages:
                    view = services.view_for(payload, user_id, kind, language)
                    if view != views[key]:
                        views[f"{key}@{language}"] = view
        encoded = []
        texts = {}
        for key, view in views.items():
            text = next((text for seen, text in encoded if seen == view), False)
            if text is False:
                text = None if view is None else encode(view)
                encoded.append((view, text))
            texts[key] = text
        if len(encoded) == 1:
            texts = {"all": encoded[0][1]}
        return cls(payload["seq"], actor, texts)

    @classmethod
    def ephemeral(cls, frame):
        return cls(None, None, {"all": encode(frame)})

    @classmethod
    def for_person(cls, user_id, frame):
        """A frame only this person's sockets get, whatever their kind (the `own:` texts)."""
        text = encode(frame)
        texts = {kind: None for kind in services.VIEWER_KINDS}
        texts.update({f"own:{kind}": text for kind in services.VIEWER_KINDS})
        return cls(None, user_id, texts)

    @classmethod
    def from_wire(cls, data):
        raw = json.loads(data)
        return cls(raw["seq"], raw["actor"], raw["texts"])

    def wire(self):
        return encode({"seq": self.seq, "actor": self.actor, "texts": self.texts})

    def text_for(self, listener):
        texts = self.texts
        if "all" in texts:
            return texts["all"]
        key = f"own:{listener.kind}" if listener.user_id == self.actor else listener.kind
        if not self.by_language:
            return texts[key]
        in_language = texts.get(f"{key}@{listener.language}", texts)  # texts itself: none of its own
        return texts[key] if in_language is texts else in_language
