"""Chart geometry for the report page: numbers in, SVG coordinates out; the template draws them.

Server-rendered SVG needs no script and no style attribute, so it passes a CSP
that allows only the platform's own files, and it prints.
"""

import datetime as dt
import math

from django.utils import formats, timezone


def _nice_max(value):
    """A round axis maximum at or above `value` (1, 2, 5 x 10^n)."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def timeline_chart(points, tz, width=720, height=240):
    """An area chart of people connected over time; `points` are [(iso time, count)]."""
    left, right, top, bottom = 44, 12, 12, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    if not points:
        return None
    times = [dt.datetime.fromisoformat(t) for t, _n in points]
    counts = [n for _t, n in points]
    peak = _nice_max(max(counts))
    span = max((times[-1] - times[0]).total_seconds(), 1)

    def x(t):
        return _n(left + plot_w * (t - times[0]).total_seconds() / span)

    def y(n):
        return _n(top + plot_h * (1 - n / peak))

    # A step line: the count holds until the next bucket.
    coords = []
    for index, (t, n) in enumerate(zip(times, counts, strict=True)):
        if index:
            coords.append((x(t), y(counts[index - 1])))
        coords.append((x(t), y(n)))
    line = " ".join(f"{cx},{cy}" for cx, cy in coords)
    area = f"{left},{top + plot_h} {line} {coords[-1][0]},{top + plot_h}"
    y_ticks = [{"y": y(peak * i / 4), "label": _fmt(peak * i / 4)} for i in range(5)]
    x_ticks = []
    for i in range(5):
        t = times[0] + dt.timedelta(seconds=span * i / 4)
        local = timezone.localtime(t, tz)
        anchor = "start" if i == 0 else "end" if i == 4 else "middle"
        # The weekday in the reader's language ("mar", "星期二"), not the C locale's "Tue".
        label = f"{formats.date_format(local, 'D')} {formats.time_format(local, 'H:i')}"
        x_ticks.append({"x": x(t), "label": label, "anchor": anchor})
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "top": top,
        "bottom": top + plot_h,
        "line": line,
        "area": area,
        "y_ticks": y_ticks,
        "x_ticks": x_ticks,
        "label_y": height - 8,
        "tick_label_x": left - 6,
    }


def session_bars(sessions, width=720, row=30):
    """Horizontal bars per session: unique attendees, with the peak marked inside."""
    if not sessions:
        return None
    label_w, right = 260, 48
    plot_w = width - label_w - right
    top = max(_nice_max(max(s["unique_attendees"] for s in sessions)), 1)
    rows = []
    for index, session in enumerate(sessions):
        y = index * row + 6
        rows.append(
            {
                "y": y,
                "text_y": _n(y + row / 2),
                "title": session["title"] if len(session["title"]) <= 40 else session["title"][:39] + "…",
                "full_title": session["title"],
                "unique": session["unique_attendees"],
                "peak": session["peak_concurrent"],
                "width": _n(plot_w * session["unique_attendees"] / top),
                "peak_width": _n(plot_w * min(session["peak_concurrent"], top) / top),
                "value_x": _n(label_w + plot_w * session["unique_attendees"] / top + 6),
                "bar_h": row - 12,
                "peak_y": _n(y + (row - 12) / 3),
                "peak_h": _n((row - 12) / 3),
            }
        )
    return {
        "width": width,
        "height": len(sessions) * row + 12,
        "label_w": label_w,
        "rows": rows,
        "label_x": label_w - 8,
    }


def _n(value):
    """A coordinate as text: templates would localise a float ("12,5" in French), which SVG rejects."""
    return f"{value:.1f}"


def _fmt(value):
    """An axis number as the reader writes it ("2,5" in French): it is text, not a coordinate."""
    return formats.number_format(
        int(value) if float(value).is_integer() else value,
        0 if float(value).is_integer() else 1,
        use_l10n=True,
        force_grouping=True,
    )
