"""Accessibility check of the page a browser test is on, with axe-core (WCAG 2 A and AA rules).

axe-core comes from the npm registry at the version package-lock.json pins (`make test` runs
scripts/ensure_axe.sh). Without it the check fails when CI=true and skips otherwise."""
import os
from pathlib import Path

import pytest

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
RULE_SETS = ["wcag2a", "wcag2aa"]

_RUN = """async (ruleSets) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: ruleSets}, resultTypes: ['violations']});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(' ')),
  }));
}"""


def _script() -> str:
    if not AXE_SCRIPT.exists():
        message = f"axe-core is not installed at {AXE_SCRIPT}; run `bash scripts/ensure_axe.sh` (npm ci)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE_SCRIPT.read_text(encoding="utf-8")


def violations(page) -> list[dict]:
    """The WCAG 2 A/AA violations axe-core finds on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the browser's debugging protocol, so the site's Content-Security-Policy
        # (no inline scripts) stays as it is for the page under test.
        page.evaluate(_script() + "\n;undefined")
    return page.evaluate(_RUN, RULE_SETS)


def describe(found: list[dict]) -> str:
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    {target}" for target in violation["targets"][:10])
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """Fails listing every violation (rule, impact, what it asks, where) of the current page."""
    found = violations(page)
    assert not found, f"axe-core found {len(found)} violation(s) on {page.url}:\n{describe(found)}"
