"""The pages' CSS and JavaScript: package data files, inlined, and allowed by a CSP hash.

They live next to this module (`theme.css`, `review.css`, `review.js`, `datatable.css`,
`datatable.js`) so they can be edited and linted as what they are; hatch ships every file of the
package in the wheel. Each page inlines them (one file that works offline and from mail) and
its Content-Security-Policy allows exactly these bytes: nothing else can run or style the page,
even if some escaping were missed.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib import resources


@cache
def asset(name: str) -> str:
    """The text of one asset file shipped in this package."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


@cache
def review_css() -> str:
    from .screening import screening_css

    # screening's own rules first: review.css overrides their colours for the dark scheme
    return asset("theme.css") + screening_css() + "\n" + asset("review.css")


@cache
def datatable_css() -> str:
    """The index, parties and allegations pages (and their detail pages)."""
    from .screening import screening_css

    return asset("theme.css") + screening_css() + "\n" + asset("datatable.css")


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def page_head(title: str, css: str, js: str) -> str:
    """A page's start, from the doctype to `</head>`: `title` (already escaped), the inlined CSS,
    and the meta tags every page carries (CSP for exactly `css` and `js`, no referrer)."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{csp(css, js)}">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<title>{title}</title>
<style>{css}</style>
</head>"""


def csp(css: str, js: str) -> str:
    """Fetch nothing, run only our own script and style, submit nowhere."""
    return (
        f"default-src 'none'; script-src {_hash(js)}; style-src {_hash(css)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
