"""The one way an app plugs into another: a Django signal, declared in the lower app's `signals.py`.

The apps depend on each other one way (events, then livechat and the scheduler, then the apps on
top). When a lower app needs something only a higher one knows (the stage's part of `room.state`,
partnering's meetings in an agenda feed), it declares a signal in its own `signals.py` and asks it;
the higher app connects a receiver in its `AppConfig.ready()`. That is how pretix's plugins hook in,
and it is the only plug-in mechanism here, so one grep for a signal's name finds every receiver, and
`python manage.py plugins` lists every signal of the project with what is connected to it.

Signals are of two kinds, told apart by their class:
- `Signal`: "this happened" (a session moved, a meeting was accepted); answers are ignored.
- `Contributions`: "what do you add here?"; each receiver returns its part and the asker combines
  the parts (an HTML panel, a reminder source, {session id: replay url}).
"""

import importlib
import weakref
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.dispatch import Signal


class Contributions(Signal):
    """A signal whose receivers each return a part, which the app that asks combines."""

    def parts(self, **named):
        """Each connected receiver's answer, in the order they were connected."""
        return [part for _receiver, part in self.send(sender=None, **named)]

    async def aparts(self, **named):
        """`parts` for async receivers (run concurrently), from async code."""
        return [part for _receiver, part in await self.asend(sender=None, **named)]


def plug_in_points():
    """[(dotted name, kind, [receiver names])] for each signal in the `signals` module of the project's apps.

    Signals Django sends itself (post_save, user_logged_out) are Django's to list; ours are here.
    """
    points = []
    for app in apps.get_app_configs():
        if Path(app.path).parent != settings.BASE_DIR:  # Django's and libraries' apps
            continue
        try:
            module = importlib.import_module(f"{app.name}.signals")
        except ModuleNotFoundError as missing:
            if missing.name != f"{app.name}.signals":
                raise
            continue
        for attribute, signal in vars(module).items():
            if isinstance(signal, Signal):
                kind = "contributions" if isinstance(signal, Contributions) else "event"
                points.append((f"{module.__name__}.{attribute}", kind, [_name(r) for r in _receivers(signal)]))
    return points


def _receivers(signal):
    live = []
    for _key, reference, *_is_async in signal.receivers:
        receiver = reference() if isinstance(reference, weakref.ReferenceType) else reference
        if receiver is not None:
            live.append(receiver)
    return live


def _name(receiver):
    return f"{receiver.__module__}.{receiver.__qualname__}"
