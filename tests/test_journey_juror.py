"""A juror's journey in real Chromium against the demo summit on a real Daphne, in French and in Chinese:
signed in, the jury's list, a pitch's form (each score typed into the box its label names), save a draft,
submit, see the card counted; the organisers' results page says what the results API says.

The journey fails on a console error, a failed request, and on any sentence of the English catalogue
shown untranslated on the page. (Self-contained: the shared journey harness may absorb these helpers.)
"""

import re
from pathlib import Path

import pytest

from tests.servers import ROOT, demo_server, launch_chromium

pytestmark = [pytest.mark.browser, pytest.mark.multiprocess]

SLUG = "sophia-qingdao-ai-ict-roadshow"
JURORS = {"fr": "organiser", "zh-hans": "li.na@example.cn"}
CATALOGUES = {"fr": "fr", "zh-hans": "zh_Hans"}
WORDS = {
    "fr": {
        "draft": "Enregistrer le brouillon",
        "submit": "Envoyer mes notes",
        "drafted": "Votre brouillon est enregistré",
    },
    "zh-hans": {"draft": "保存为草稿", "submit": "提交我的评分", "drafted": "您的草稿已保存"},
}
COUNTED = {"fr": "Vos notes sont envoyées et comptées.", "zh-hans": "您的评分已提交并计入。"}
SUBMITTED = {"fr": "Envoyé", "zh-hans": "已提交"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{.*?\}\}|%[sd]")


def english_sentences(language):
    """The catalogue's English texts that a page in `language` must never show as they are: the translated
    ones whose words differ, cut at their placeholders, keeping pieces of three words or more."""
    po = (ROOT / "locale" / CATALOGUES[language] / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    found = set()
    for msgid, msgstr in re.findall(r'^msgid "(.+)"\nmsgstr "(.+)"$', po, flags=re.M):
        if msgid == msgstr:
            continue
        for piece in PLACEHOLDER.split(msgid.replace('\\"', '"')):
            piece = piece.strip(" .,:;")
            if len(piece.split()) >= 3 and piece not in msgstr:
                found.add(piece)
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with demo_server(tmp_path_factory.mktemp("juror"), [*JURORS.values()], label="juror") as server:
        yield server


@pytest.fixture(scope="module")
def browser(demo):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def signed_in_page(browser, demo, username, language):
    context = browser.new_context(base_url=demo["url"], locale=language)
    context.add_cookies([{"name": "sessionid", "value": demo["cookies"][username], "url": demo["url"]}])
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
    page.on("console", lambda m: page.problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on(
        "response",
        lambda r: page.problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    return page


def untranslated(page, language):
    text = page.locator("body").inner_text()
    return sorted(sentence for sentence in english_sentences(language) if sentence in text)


@pytest.mark.parametrize("language", ["fr", "zh-hans"])
def test_a_juror_scores_a_pitch_in_their_language_and_the_results_agree(browser, demo, language):
    from playwright.sync_api import expect

    expect.set_options(timeout=20_000)
    words = WORDS[language]
    juror = signed_in_page(browser, demo, JURORS[language], language)
    juror.goto(f"/summits/{SLUG}/judging/pitches/")
    expect(juror.locator("html")).to_have_attribute("lang", language)
    assert untranslated(juror, language) == []
    pitch = juror.locator("tbody tr").filter(has_text="Fair Vision").locator("a").first
    pitch.click()
    expect(juror.locator("form.score-form")).to_be_visible()
    assert untranslated(juror, language) == []

    criteria = juror.request.get(f"/api/summits/{SLUG}/judging/rubric/").json()["criteria"]
    session_id = int(re.search(r"/pitches/(\d+)/", juror.url).group(1))
    marks = {c["key"]: 3 + n for n, c in enumerate(criteria)}  # a different mark per criterion
    # Typed through each label: a score lands under the criterion its label names, or the API below disagrees.
    for criterion in criteria:
        juror.get_by_label(criterion["label"], exact=False).first.fill(str(marks[criterion["key"]]))
    juror.get_by_role("button", name=words["draft"]).click()
    expect(juror.locator("[data-form-status]")).to_contain_text(words["drafted"])
    card = juror.request.get(f"/api/sessions/{session_id}/score/").json()
    assert card["status"] == "draft" and card["scores"] == marks

    juror.get_by_role("button", name=words["submit"]).click()
    expect(juror.locator("[data-form-status]")).to_have_text(COUNTED[language])
    expect(juror.locator("form.score-form")).to_have_attribute("data-card-state", "submitted")
    assert juror.request.get(f"/api/sessions/{session_id}/score/").json()["status"] == "submitted"
    assert untranslated(juror, language) == []

    # The list says it is counted; the organisers' page says what the API says.
    juror.goto(f"/summits/{SLUG}/judging/pitches/")
    row = juror.locator("tbody tr").filter(has_text="Fair Vision").first
    expect(row.locator("td").last).to_have_text(SUBMITTED[language])
    organiser = signed_in_page(browser, demo, "organiser", language)
    results = organiser.request.get(f"/api/summits/{SLUG}/judging/results/").json()
    [mine] = [r for r in results if r["session_id"] == session_id]
    organiser.goto(f"/summits/{SLUG}/judging/")
    cells = organiser.locator("tbody tr").filter(has_text=mine["title"]).first.locator("td")
    expect(cells.nth(4 + len(criteria))).to_have_text(str(mine["jurors"]))
    # The page writes the score as its language does (37,8 in French: the organiser's own language).
    comma = organiser.locator("html").get_attribute("lang") == "fr"
    expect(cells.nth(3)).to_have_text(str(mine["score"]).replace(".", "," if comma else "."))
    assert mine["jurors"] >= 1
    assert untranslated(organiser, language) == []
    assert juror.problems == [] and organiser.problems == []
    juror.context.close()
    organiser.context.close()


def test_the_catalogue_check_would_see_an_untranslated_sentence():
    """The journey's English check is not empty: it knows the juror form's sentences."""
    assert "Submit my scores" in english_sentences("fr")
    assert Path(ROOT / "locale").is_dir()
