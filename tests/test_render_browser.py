"""The rendered batch in Debian's Chromium: the index, the parties, the allegations and an article's
review page, at 1280 and 390 px, light and dark. Sorting, filters, the "named as a target, on no
list" view, paging, links; nothing wider than the window, no console error, no request
leaving the page, WCAG AA contrast; a screenshot of each page in each layout and scheme, kept in
the session's artifacts folder (tests/conftest.py `artifacts`).

The site is real batch output: the development articles through the recorded real model,
screened against the SDN slice (`--screen-all`), and a generated batch of 250 for paging.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import CONTRAST, launch, shot, unavailable, until, watch
from .render_batches import SLICE, copies, render, replay_batch

pytestmark = pytest.mark.browser

LAYOUTS = [(1280, "light"), (1280, "dark"), (390, "light"), (390, "dark")]
ROWS = "[...document.querySelectorAll('table.data tbody tr')]"
PANEL = {"light": "rgb(255, 255, 255)", "dark": "rgb(22, 27, 34)"}  # theme.css --panel


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    render(replay_batch(root), "-o", root / "site", "--screen", str(SLICE), "--screen-all")
    return root / "site"


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("big")
    render(copies(root, 250), "-o", root / "site")
    return root / "site"


@pytest.fixture(scope="module")
def browser(site: Path, big: Path) -> Iterator[Any]:
    """Chromium, started after the sites are built (playwright's sync API runs an event loop of
    its own, and the batch runs one)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright Python package is not installed (pip install playwright)")
    with sync_playwright() as pw:
        b = launch(pw)
        try:
            yield b
        finally:
            b.close()


class Tab:
    """A page in a given window size and colour scheme that records problems and requests."""

    def __init__(self, browser: Any, width: int = 1280, scheme: str = "light") -> None:
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
        watch(self.page, self.problems, self.requests)

    def open(self, path: Path, fragment: str = "") -> Any:
        self.page.goto(path.as_uri() + fragment, wait_until="load")
        return self.page

    def close(self) -> None:
        self.page.close()
        assert not self.problems, self.problems
        assert not self.requests, f"the page fetched: {self.requests}"


def cells(page: Any, column: int) -> list[str]:
    """The text of one shown column of the data table, row by row (the data-label is CSS, not text)."""
    return page.evaluate(f"{ROWS}.map(r => r.cells[{column}].textContent)")  # type: ignore[no-any-return]


def layouts(browser: Any, page_file: Path, artifacts: Path, name: str, fragment: str = "") -> None:
    """The page in each layout and scheme: fits the window, readable contrast, a screenshot."""
    for width, scheme in LAYOUTS:
        tab = Tab(browser, width, scheme)
        page = tab.open(page_file, fragment)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
        report = page.evaluate(CONTRAST)
        assert report["checked"] > 10 and not report["bad"], (name, width, scheme, report["bad"])
        if page.locator("select").count():
            bg = page.evaluate("getComputedStyle(document.querySelector('select option')).backgroundColor")
            assert bg == PANEL[scheme], (name, scheme, bg)  # no light dropdowns in the dark scheme
        if width == 390 and page.locator("table.data tbody tr").count():
            assert page.evaluate(f"getComputedStyle({ROWS}[0]).display") == "block"  # rows as cards
        shot(page, artifacts, f"{name}-{width}-{scheme}.png")
        tab.close()


def test_index_sorts_filters_and_fits(browser: Any, site: Path, artifacts: Path) -> None:
    tab = Tab(browser)
    page = tab.open(site / "index.html")
    ids = cells(page, 1)
    assert cells(page, 0) == [str(i) for i in range(1, len(ids) + 1)] and ids[-1] == "iran-missiles-russia.txt"
    for link in page.query_selector_all("tbody th a"):  # ids never break inside a word at 1280 px
        assert link.evaluate("a => a.getClientRects().length") == 1, link.text_content()
    assert page.inner_text(".pager output") == f"Rows 1\u2013{len(ids)} of {len(ids)}"
    quotes = "Quotes"
    page.click(f"thead th:has-text('{quotes}') button")
    asc = [int(x) for x in cells(page, 3)]
    assert asc == sorted(asc) and page.get_attribute(f"thead th:has-text('{quotes}')", "aria-sort") == "ascending"
    page.click(f"thead th:has-text('{quotes}') button")
    assert [int(x) for x in cells(page, 3)] == sorted(asc, reverse=True)
    page.select_option("select[name=sort]", value="")  # back to input order
    assert cells(page, 1) == ids
    page.fill("input[type=search]", "IRAN missiles")
    assert cells(page, 1) == ["iran-missiles-russia.txt"]
    assert "filtered from 6" in page.inner_text(".pager output")
    page.click("button[type=reset]")
    until(page, f"{ROWS}.length === {len(ids)}")
    page.select_option("select[name=screening]", value="listed")
    assert cells(page, 1) and all("listed" in s and not s.startswith("0 of") for s in cells(page, 7))
    tab.close()
    layouts(browser, site / "index.html", artifacts, "index")


def test_parties_named_as_target_on_no_list_is_one_click_away(browser: Any, site: Path, artifacts: Path) -> None:
    tab = Tab(browser)
    page = tab.open(site / "parties.html")
    every = page.evaluate(f"{ROWS}.length")
    page.click("a.preset")
    until(page, "() => location.hash.includes('role=target')")
    until(page, f"{ROWS}.length < {every}")
    roles, statuses = cells(page, 2), cells(page, 5)
    assert roles and all("target" in r for r in roles) and set(statuses) == {"not listed"}
    assert page.input_value("select[name=role]") == "target"
    page.click("button[type=reset]")
    until(page, f"{ROWS}.length === {every}")
    page.select_option("select[name=screening]", value="listed")
    listed = cells(page, 0)
    assert listed and all(m.startswith("https://") for m in page.evaluate(
        f"{ROWS}.map(r => r.cells[7].querySelector('a').href)"))
    page.select_option("select[name=screening]", value="")
    page.select_option("select[name=role]", value="speaker")
    assert all("speaker" in r for r in cells(page, 2))
    page.click("tbody th a >> nth=0")  # a party's details, scrolled to its section
    page.wait_for_load_state("load")
    assert "parties-0001.html#p" in page.url
    assert page.evaluate("document.querySelector('section:target') !== null")
    page.click("section:target ul a[href*='.html#'] >> nth=0")  # a mention: the highlighted span
    page.wait_for_load_state("load")
    anchor = page.url.split("#")[1]
    assert page.evaluate(f"document.getElementById({anchor!r}) !== null")
    tab.close()
    layouts(browser, site / "parties.html", artifacts, "parties")
    layouts(browser, site / "parties.html", artifacts, "parties-leads", "#role=target&screening=not+listed")
    layouts(browser, site / "parties-0001.html", artifacts, "party-details")


def test_allegations_filter_and_evidence(browser: Any, site: Path, artifacts: Path) -> None:
    tab = Tab(browser)
    page = tab.open(site / "allegations.html")
    every = page.evaluate(f"{ROWS}.length")
    page.select_option("select[name=status]", value="denied")
    assert 0 < len(cells(page, 3)) < every and all("denied" in s for s in cells(page, 3))
    page.click("tbody td a:has-text('evidence') >> nth=0")
    page.wait_for_load_state("load")
    assert page.evaluate("document.querySelector('section:target blockquote') !== null")
    tab.close()
    layouts(browser, site / "allegations.html", artifacts, "allegations")


def test_paging_at_size(browser: Any, big: Path, artifacts: Path) -> None:
    tab = Tab(browser)
    page = tab.open(big / "index.html")
    assert page.inner_text(".pager output") == "Rows 1\u2013100 of 250, page 1 of 3"
    assert page.evaluate(f"{ROWS}.length") == 100  # one page in the document, not 250 rows
    page.click(".pager button[data-step='1']")
    assert page.inner_text(".pager output") == "Rows 101\u2013200 of 250, page 2 of 3"
    assert cells(page, 0)[0] == "101"
    page.click("thead th:has-text('#') button")
    page.click("thead th:has-text('#') button")  # descending: the last article first, back on page 1
    assert cells(page, 0)[0] == "250" and "page 1 of 3" in page.inner_text(".pager output")
    page.select_option("select[name=status]", value="failed")
    assert page.inner_text(".pager output") == "Rows 1\u201325 of 25 (filtered from 250)"
    assert all(n.startswith("failedprovider: HTTP 500") for n in cells(page, 8))  # the chip, then the error
    assert page.is_disabled(".pager button[data-step='1']") and page.is_disabled(".pager button[data-step='-1']")
    shot(page, artifacts, "index-paged-1280-light.png")
    tab.close()


def test_review_page_layout(browser: Any, site: Path, artifacts: Path) -> None:
    article = next(site.glob("01_ofac-iran-khedri-network*.html"))
    tab = Tab(browser)
    page = tab.open(article)
    for pick in page.query_selector_all("#filters .pick"):  # a filter's label never parts from its control
        top = pick.evaluate("p => [p.querySelector('label').getBoundingClientRect().top, "
                            "p.querySelector('select').getBoundingClientRect().top]")
        assert abs(top[0] - top[1]) < 8, pick.text_content()
    assert "select a summary sentence" in page.inner_text(".legend")
    assert page.inner_text("#screen-status").startswith("Screened ")
    assert page.evaluate("document.querySelectorAll('mark.support.active').length") == 0
    page.click(".summary .sentence >> nth=0")
    assert page.evaluate("document.querySelectorAll('mark.support.active').length") > 0
    styles = page.evaluate("""() => { let worst = 0;
        for (const m of document.querySelectorAll('#article mark.evidence')) {
          const s = getComputedStyle(m);
          worst = Math.max(worst, s.backgroundColor === 'rgba(0, 0, 0, 0)' ? 0 : 1); }
        return worst; }""")
    assert styles == 0  # evidence is an underline only: backgrounds belong to quotes, targets, hedges
    tab.close()
    layouts(browser, article, artifacts, "review")
