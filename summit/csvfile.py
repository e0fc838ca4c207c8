"""CSV downloads: one writer for every app, so no download can forget formula neutralisation."""

import csv
import io

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Spreadsheets run cells that start with = + - @ as formulas: names typed by attendees must not.

    Numbers are left alone (a negative figure is no formula); None is an empty cell.
    """
    if value is None:
        return ""
    text = str(value)
    if text[:1] in FORMULA_STARTS and not isinstance(value, (int, float)):
        return "'" + text
    return text


def csv_text(columns, rows):
    """A header line of `columns`, then one line per dict of `rows`, every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row[column]) for column in columns])
    return out.getvalue()


def csv_response(body, filename):
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
