"""Pages speak French and Simplified Chinese, and the shipped catalogues are complete and compiled.

When a catalogue test fails after a merge, run `scripts/update-translations`, translate the msgids
the failure lists, run the script again and commit locale/.
"""

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from events.models import Profile
from tests.conftest import csrf_headers, signed_in

ROOT = Path(__file__).resolve().parent.parent
LOCALES = {"fr": "nplurals=2; plural=(n > 1);", "zh_Hans": "nplurals=1; plural=0;"}
HOW_TO_FIX = "run scripts/update-translations, translate these entries (no '#, fuzzy' left), run it again"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")

# What the page shell and the schedule say, per language.
SUMMITS = {"en": "Summits", "fr": "Sommets", "zh-hans": "峰会"}
SCHEDULE = {"en": "Schedule", "fr": "Programme", "zh-hans": "日程"}


# --- The catalogues ------------------------------------------------------------------------------


def new_entry():
    return {"msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": {}, "flags": set(), "line": None}


def read_po(path):
    """The live entries of a .po file: dicts with msgctxt, msgid, msgid_plural, msgstr (a list), flags.

    Enough of the format for catalogues written by msgmerge: comments, flags, continuation lines,
    plural forms; obsolete (#~) entries are left out.
    """
    entries, entry, key = [], None, None
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#~"):
            key = None
            continue
        # Flags and msgctxt come before the msgid they belong to.
        waiting_for_msgid = entry is not None and entry["msgid"] is None
        if line.startswith("#,"):
            if not waiting_for_msgid:
                entry = new_entry()
                entries.append(entry)
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
            if key.startswith("msgstr"):
                entry["msgstr"][key] += value
            else:
                entry[key] += value
            continue
        key, _space, quoted = line.partition(" ")
        value = ast.literal_eval(quoted)
        if key in ("msgctxt", "msgid") and not waiting_for_msgid:
            entry = new_entry()
            entries.append(entry)
        if key == "msgid":
            entry["line"] = number
        if key.startswith("msgstr"):
            entry["msgstr"][key] = value
        else:
            entry[key] = value
    return [{**e, "msgstr": [e["msgstr"][k] for k in sorted(e["msgstr"], key=plural_form)]} for e in entries]


def plural_form(keyword):
    """msgstr -> 0, msgstr[2] -> 2."""
    return int(keyword[7:-1] or 0)


def catalogue(locale):
    return ROOT / "locale" / locale / "LC_MESSAGES" / "django.po"


def messages(entries):
    return [e for e in entries if e["msgid"]]


def header(entries):
    (head,) = [e for e in entries if e["msgid"] == ""]
    return dict(line.split(": ", 1) for line in head["msgstr"][0].splitlines() if ": " in line)


def untranslated(entries):
    """One readable line per entry that still needs a translator."""
    return [
        f"line {e['line']}: {'fuzzy' if 'fuzzy' in e['flags'] else 'empty'}: {e['msgid']!r}"
        for e in messages(entries)
        if "fuzzy" in e["flags"] or not all(e["msgstr"])
    ]


def test_reader_sees_empty_fuzzy_and_multiline_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\n'
        '#: a.py:1\nmsgid "Done"\nmsgstr "Fait"\n\n'
        '#, fuzzy, python-format\nmsgid "Hi %(name)s"\nmsgstr "Salut %(name)s"\n\n'
        'msgid ""\n"Long "\n"line"\nmsgstr ""\n\n'
        '#~ msgid "Gone"\n#~ msgstr "Parti"\n',
        encoding="utf-8",
    )
    assert untranslated(read_po(po)) == ["line 10: fuzzy: 'Hi %(name)s'", "line 13: empty: 'Long line'"]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated_and_none_is_fuzzy(locale):
    entries = read_po(catalogue(locale))
    assert len(messages(entries)) > 100
    missing = untranslated(entries)
    assert not missing, f"{catalogue(locale)}: {len(missing)} to translate ({HOW_TO_FIX}):\n" + "\n".join(missing)


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_header_names_language_plurals_and_utf8(locale):
    fields = header(read_po(catalogue(locale)))
    assert fields["Language"] == locale
    assert fields["Plural-Forms"] == LOCALES[locale]
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_every_placeholder(locale):
    wrong = [
        f"{e['msgid']!r} -> {text!r}"
        for e in messages(read_po(catalogue(locale)))
        for text in e["msgstr"]
        if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(e["msgid_plural"] or e["msgid"]))
    ]
    assert not wrong, "placeholders differ from the English:\n" + "\n".join(wrong)


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogue_matches_the_po_file(locale):
    """The .mo files are committed (make run needs no gettext), so they must not lag behind the .po."""
    po = catalogue(locale)
    with open(po.with_suffix(".mo"), "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = []
    for e in messages(read_po(po)):
        if e["msgid_plural"]:
            got = [
                compiled.npgettext(e["msgctxt"], e["msgid"], e["msgid_plural"], n)
                if e["msgctxt"]
                else compiled.ngettext(e["msgid"], e["msgid_plural"], n)
                for n in range(len(e["msgstr"]))
            ]
            want = [e["msgstr"][compiled.plural(n)] for n in range(len(e["msgstr"]))]
        else:
            got = compiled.pgettext(e["msgctxt"], e["msgid"]) if e["msgctxt"] else compiled.gettext(e["msgid"])
            want = e["msgstr"][0]
        if got != want:
            stale.append(repr(e["msgid"]))
    assert not stale, f"{po.with_suffix('.mo')} is stale ({HOW_TO_FIX}):\n" + "\n".join(stale)


@pytest.mark.skipif(not shutil.which("xgettext") or not shutil.which("msgmerge"), reason="needs GNU gettext")
def test_catalogues_hold_every_string_of_the_code(tmp_path):
    """Re-extracts the strings from a copy of the code: a new string without a translation fails here."""
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "var", "tests", "node_modules", "__pycache__", "*.mo", ".pytest_cache"
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            *(f"--locale={locale}" for locale in LOCALES),
            "--ignore=.venv",
            "--ignore=var",
            "--ignore=tests",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**os.environ, "VAR_DIR": str(tmp_path / "var")},
    )
    missing = []
    for locale in LOCALES:
        known = {e["msgid"] for e in read_po(catalogue(locale))}
        extracted = messages(read_po(copy / "locale" / locale / "LC_MESSAGES" / "django.po"))
        missing += [f"{locale}: {e['msgid']!r}" for e in extracted if e["msgid"] not in known]
    assert not missing, f"strings in the code missing from the catalogues ({HOW_TO_FIX}):\n" + "\n".join(missing)


# --- Pages ---------------------------------------------------------------------------------------


def heading(text):
    return f"<h1>{text}</h1>"


def brand(text):
    return f'<a class="brand" href="/">{text}</a>'


@pytest.mark.parametrize("language", ["en", "fr", "zh-hans"])
def test_summit_list_follows_accept_language(client, summit, language):
    page = client.get("/", headers={"accept-language": language}).content.decode()
    assert f'<html lang="{language}">' in page
    assert heading(SUMMITS[language]) in page
    assert brand(SUMMITS[language]) in page


@pytest.mark.parametrize("language", ["en", "fr", "zh-hans"])
def test_schedule_follows_accept_language(client, summit, keynote, language):
    response = client.get(f"/summits/{summit.slug}/schedule/", headers={"accept-language": language})
    page = response.content.decode()
    assert response["Content-Language"] == language
    assert f'<html lang="{language}">' in page
    assert heading(SCHEDULE[language]) in page
    assert brand(SUMMITS[language]) in page
    assert f">{SCHEDULE[language]}</a>" in page


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-hans"),
        ("zh-Hans-CN,zh-Hans;q=0.9", "zh-hans"),
        ("fr-FR,fr;q=0.9,en-US;q=0.8", "fr"),
        ("de-DE,de;q=0.9", "en"),
    ],
)
def test_browsers_real_accept_language_headers_pick_the_right_catalogue(client, summit, header, language):
    page = client.get("/", headers={"accept-language": header}).content.decode()
    assert f'<html lang="{language}">' in page
    assert heading(SUMMITS[language]) in page


def test_error_messages_are_translated(client, db):
    page = client.get("/summits/nowhere/", headers={"accept-language": "fr"}).content.decode()
    assert "Aucun sommet nommé «\u00a0nowhere\u00a0»." in page


def test_saved_language_wins_over_browser_and_cookie(summit, keynote, attendee_shanghai):
    client = signed_in(attendee_shanghai)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get(f"/summits/{summit.slug}/schedule/", headers={"accept-language": "fr-FR,fr"}).content.decode()
    assert '<html lang="zh-hans">' in page
    assert heading(SCHEDULE["zh-hans"]) in page
    assert ">我的日程</a>" in page


def test_switcher_marks_the_current_language(client, summit):
    page = client.get("/", headers={"accept-language": "zh-hans"}).content.decode()
    assert '<option value="zh-hans" selected>简体中文</option>' in page
    assert '<option value="fr">français</option>' in page


def test_choosing_a_language_saves_it_and_switches_pages(summit, attendee_shanghai):
    client = signed_in(attendee_shanghai)
    response = client.post("/preferences/", {"language": "fr", "next": "/"}, headers=csrf_headers(client))
    assert response.status_code == 302
    assert Profile.objects.get(user=attendee_shanghai).language == "fr"
    page = client.get("/", headers={"accept-language": "zh-hans"}).content.decode()
    assert '<html lang="fr">' in page
    assert heading(SUMMITS["fr"]) in page


def test_anonymous_choice_is_kept_in_a_cookie(anonymous_client, summit):
    response = anonymous_client.post("/preferences/", {"language": "zh-hans"}, headers=csrf_headers(anonymous_client))
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    page = anonymous_client.get("/", headers={"accept-language": "fr"}).content.decode()
    assert heading(SUMMITS["zh-hans"]) in page


def test_a_visitor_not_signed_in_chooses_a_language_by_get_without_a_token(anonymous_client, summit):
    page = anonymous_client.get("/").content.decode()
    assert 'method="get" action="/preferences/" class="lang"' in page and "csrfmiddlewaretoken" not in page
    response = anonymous_client.get("/preferences/", {"language": "fr", "next": "/"})
    assert response.status_code == 302 and response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert heading(SUMMITS["fr"]) in anonymous_client.get("/").content.decode()


def test_a_get_never_writes_the_profile(summit, attendee_shanghai):
    client = signed_in(attendee_shanghai)
    assert 'method="post" action="/preferences/" class="lang"' in client.get("/").content.decode()
    client.get("/preferences/", {"language": "fr", "next": "/"})
    assert Profile.objects.get(user=attendee_shanghai).language == "zh-hans"


def test_unknown_language_is_refused_and_nothing_saved(summit, attendee_shanghai):
    client = signed_in(attendee_shanghai)
    response = client.post("/preferences/", {"language": "de"}, headers=csrf_headers(client))
    assert response.status_code == 422
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert Profile.objects.get(user=attendee_shanghai).language == "zh-hans"
