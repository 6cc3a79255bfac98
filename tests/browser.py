"""Shared pieces of the browser tests: Debian's Chromium driven by playwright (no downloaded
browser), page watchers, screenshots, and the WCAG contrast measure.

Screenshots go to the session's `artifacts` folder (tests/conftest.py): $SUMMARIZER_ARTIFACTS
when set, else a temporary folder that pytest names at the end of the run; never the checkout.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def unavailable(reason: str) -> None:
    """Skip (fail in CI, where SUMMARIZER_REQUIRE_BROWSER=1) when the browser cannot run."""
    (pytest.fail if os.environ.get("SUMMARIZER_REQUIRE_BROWSER") else pytest.skip)(reason)

# WCAG contrast of every piece of visible text (and of the Q1/T1/A1 labels) against the
# background it is drawn on: backgrounds composited from the element up to the root.
CONTRAST = """() => {
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const blend = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const background = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c && c[3] > 0) layers.push(c); }
    let bg = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) bg = blend(layers[i], bg);
    return bg;
  };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const bad = []; const seen = new Set(); let checked = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.nodeValue.trim() || seen.has(el) || el.closest('script, style, [hidden], option')) continue;
    seen.add(el);
    if (!el.getClientRects().length || getComputedStyle(el).visibility === 'hidden') continue;
    const bg = background(el); const r = ratio(blend(parse(getComputedStyle(el).color), bg), bg); checked++;
    if (r < 4.5) bad.push(`${el.tagName}.${el.className} "${n.nodeValue.trim().slice(0, 25)}" ${r.toFixed(2)}`);
  }
  for (const m of document.querySelectorAll('mark[data-label]')) {
    const cs = getComputedStyle(m, '::before'); const bg = blend(parse(cs.backgroundColor), background(m));
    const r = ratio(blend(parse(cs.color), bg), bg); checked++;
    if (r < 4.5) bad.push(`label ${m.dataset.label} ${r.toFixed(2)}`);
  }
  return {bad, checked};
}"""


def launch(pw: object) -> object:
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} not installed (apt-get install -y chromium fonts-liberation)")
    return pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)  # type: ignore[attr-defined]


def watch(page: object, problems: list[str], requests: list[str]) -> None:
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")  # type: ignore[attr-defined]
            if m.type in ("error", "assert", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))  # type: ignore[attr-defined]
    page.on("request", lambda r: None if r.url.startswith(("file:", "data:")) else requests.append(r.url))  # type: ignore[attr-defined]


def until(page: object, expression: str, timeout: int = 10_000) -> None:
    """Wait until `expression` (or "() => ..." function text) is true in the page, polling
    through `page.evaluate`. Not `page.wait_for_function`: when its first check fails (a loaded
    machine), playwright polls with a predicate it builds by `eval` inside the page, which the
    review pages' Content Security Policy (no 'unsafe-eval') refuses."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):  # type: ignore[attr-defined]
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} ms: {expression}")
        time.sleep(0.05)


def shot(page: object, artifacts: Path, name: str) -> Path:
    """A full-page screenshot into the session's artifacts folder (see conftest `artifacts`)."""
    path = artifacts / name
    page.mouse.move(0, 0)  # type: ignore[attr-defined]  # no hover state in the picture
    page.screenshot(path=str(path), full_page=True, animations="disabled")  # type: ignore[attr-defined]
    assert path.stat().st_size > 10_000
    return path


