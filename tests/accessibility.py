"""axe-core in a real page: injected through Playwright (the CSP refuses any script the platform does not
serve, so no script tag), run over the whole document, reporting the violations that block people."""

import hashlib
from pathlib import Path

AXE_DIR = Path(__file__).resolve().parent / "vendor" / "axe-core"
BLOCKING = ("critical", "serious")

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"], iframes: false});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " :: " + n.failureSummary.split("\\n")[1]),
  }));
}"""


def axe_source():
    """The vendored axe.min.js, refused if it is not the file scripts/vendor-axe pinned."""
    source = (AXE_DIR / "axe.min.js").read_bytes()
    expected = (AXE_DIR / "axe.min.js.sha256").read_text().split()[0]
    if hashlib.sha256(source).hexdigest() != expected:
        raise AssertionError("tests/vendor/axe-core/axe.min.js does not match its sha256: run scripts/vendor-axe")
    return source.decode()


def blocking_violations(page):
    """Critical and serious violations on the page as it is now, as readable strings."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())  # evaluated by the browser's debugging protocol, which the CSP does not govern
    return [
        f"{v['impact']} {v['id']} ({v['help']}): {v['nodes']}"
        for v in page.evaluate(RUN_AXE)
        if v["impact"] in BLOCKING
    ]
