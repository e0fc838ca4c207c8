"""Panels other apps add to programme pages, so the programme does not depend on them.

A panel is `render(request, **context) -> str` (safe HTML, usually from
render_to_string, or "" when it has nothing to show), registered once per
place in the app's `ready()`:

    register_panel("company", partnering.panels.company_panel)   # company pages: company=
    register_panel("room", partnering.panels.room_panel)         # live rooms: room=, session=

Pages render `panels(place, request, summit=..., ...)` in registration order.
"""

_panels = {}


def register_panel(place, render):
    found = _panels.setdefault(place, [])
    if render not in found:
        found.append(render)


def panels(place, request, **context):
    return [html for html in (render(request, **context) for render in _panels.get(place, ())) if html]
