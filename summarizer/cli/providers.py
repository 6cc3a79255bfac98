"""`summarizer providers`: the providers `--provider` knows, and which of their keys are set.

A key is never printed, not even in part: only whether its variable is set. A base URL taken
from a `*_BASE_URL` variable is shown without user:password and query (a proxy's URL may carry
credentials).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from ..terminal import clean
from .common import errors_to_exit


def providers_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array, for programs.")] = False,
) -> None:
    """List the providers (endpoint, key variable and whether it is set, defaults, Batch API).

    A key from the environment is sent only to its own provider's host: see docs/providers.md.
    """
    with errors_to_exit(False):
        from ..providers import status

        rows = status()
        if as_json:
            sys.stdout.write(json.dumps(rows, indent=2) + "\n")
            return
        header = ("provider", "key variable", "key", "base URL", "default model", "mode", "batch API")
        table = [header] + [
            (
                str(r["name"]),
                str(r["key_env"] or "-"),
                _key_state(r),
                clean(str(r["base_url"])) + (f" (from {r['base_url_env']})" if r["base_url_overridden"] else ""),
                str(r["model"] or "(--model needed)"),
                str(r["mode"]),
                "yes" if r["batch_api"] else "no",
            )
            for r in rows
        ]
        widths = [max(len(row[i]) for row in table) for i in range(len(header))]
        for row in table:
            sys.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n")


def _key_state(row: dict[str, object]) -> str:
    if row["key_env"] is None:
        return "not needed"
    if row["key_set"]:
        return "set"
    return "not set" if row["key_required"] else "not set (optional)"
