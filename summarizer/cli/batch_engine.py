"""`summarizer batch` on a batch engine: `--engine batch-api`, `--export-requests`,
`--import-results`, `--reask-live`, `--cancel`. The command's glue only (checks, messages, exit
codes); the rounds, the state and the Batch API are in `summarizer/batch/engine/`.

Everything checkable here is checked before anything is uploaded: flag combinations, the
export path, the settings. Exit codes as for a live batch: 0 when every input has an ok line
(or, for an export, every request was written), 12 otherwise, 130 on Ctrl-C or SIGTERM, which
leave the provider's batches running and say how to collect or cancel them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from ..errors import EXIT_SOME_FAILED, ConfigError, SummarizerError
from .common import NoKeyError, err, usage_error

OFFLINE_URL = "http://batch-engine.invalid/v1"  # exporting and importing send nothing anywhere


def run(params: dict[str, Any]) -> None:
    """Run `summarizer batch` with a batch engine; `params` are the command's parameters."""
    engine: str = params["engine"]
    export: Path | None = params["export_requests"]
    imports: list[Path] = list(params["import_results"] or [])
    cancel: bool = params["cancel"]
    reask_live: bool = params["reask_live"]
    output: Path = params["output"]
    submit = engine == "batch-api" or cancel
    if export is not None and submit:
        raise ConfigError("--export-requests writes the requests instead of sending them", "drop --engine batch-api")
    if cancel and (imports or reask_live):
        raise ConfigError("--cancel only cancels the batches in flight", "run it on its own")
    offline = not submit and not reask_live
    try:
        settings = params["model_options"].settings()
    except NoKeyError:
        if not offline:
            raise
        settings = params["model_options"].settings(base_url=OFFLINE_URL)  # nothing is sent: no key needed
    if submit and (settings.replay_dir or settings.record_dir or settings.backend != "openai"):
        raise ConfigError(
            "--engine batch-api sends requests to the provider's Batch API",
            "it cannot be combined with --replay, --record or --backend local/rules (nor their environment variables)",
        )
    if submit and settings.provider is not None:
        from ..providers import PROVIDERS

        if not PROVIDERS[settings.provider].batch_api:
            having = ", ".join(p.name for p in PROVIDERS.values() if p.batch_api)
            usage_error(
                f"--engine batch-api: provider {settings.provider} has no OpenAI-compatible Batch API "
                f"(those that do: {having}); use --engine live, or --export-requests FILE for another engine"
            )
    if settings.strategy_used == "focused":
        if submit:
            raise ConfigError(
                "--strategy focused asks its questions one after another: a batch engine would need a "
                "round (up to 24 h) per question",
                "use --strategy single with --engine batch-api",
            )
        err("warning: --strategy focused asks one question at a time: expect one export/import round per question")
    if export is not None:
        _check_export(export, output, params["inputs"])
    screen = _screening(params)  # lists are loaded now: their errors come before anything is sent

    import signal

    from ..batch import Choose, expand_inputs
    from ..batch.engine.rounds import Engine, Options
    from ..inputs import MAX_BYTES
    from .common import LARGE_BYTES

    limit = LARGE_BYTES if params["allow_large"] else MAX_BYTES
    choose = Choose(params["globs"], note=lambda line: err(f"note: {line}"))
    items = expand_inputs(params["inputs"], sys.stdin, exclude=output, max_bytes=limit, choose=choose)
    options = Options(
        submit=submit, export=export, reask_live=reask_live, cancel=cancel, imports=imports,
        retry_failed=params["retry_failed"], concurrency=params["concurrency"] or settings.concurrency_default,
        poll=params["poll_interval"], max_requests=params["max_batch_requests"],
        resubmits=settings.max_retries, screen=screen, protect=[i for i in params["inputs"] if i != "-"],
    )
    bulk = Engine(items, output, settings, options, say=err)

    def _terminate(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        bulk.run()
    except (KeyboardInterrupt, SummarizerError) as exc:
        from ..batch.engine.state import TERMINAL

        running = bulk.state is not None and any(
            p.batch_id is not None and not p.ingested and p.status not in TERMINAL for p in bulk.state.parts
        )  # only batches the provider confirmed: a refused upload (401) created none
        if not cancel and running:
            what = "interrupted" if isinstance(exc, KeyboardInterrupt) else "stopped"
            err(
                f"{what}: the batches keep running at {settings.endpoint_host}; rerun the same "
                "command to collect their results, or add --cancel to cancel them"
            )
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
        err(bulk.tally.line())
        for line in bulk.tally.failure_lines(output):
            err(line)
    tally = bulk.tally
    if export is not None:
        err(f"wrote {tally.exported} request(s) for {tally.pending} article(s) to {export}")
        if tally.failed or tally.skipped_failed:
            raise typer.Exit(EXIT_SOME_FAILED)
        return
    if tally.pending:
        hint = (
            "rerun without --cancel to send them again" if cancel
            else "add --export-requests FILE to write their next requests, or --reask-live to make them live"
        )
        err(f"{tally.pending} input(s) need another round of requests and have no line yet: {hint}")
    if not tally.all_ok:
        raise typer.Exit(EXIT_SOME_FAILED)


def _screening(params: dict[str, Any]) -> Any:
    """A function that wraps a Pipeline so it screens its results, as a live batch does."""
    from functools import partial

    from .screen import screener_from

    screener = screener_from(params["screen"], params["screen_url"], params["screen_threshold"], params["screen_all"])
    if screener is None:
        return None
    from ..screening.article import ScreeningSummarizer

    return partial(ScreeningSummarizer, screener=screener, mentions=params["screen_all"])


def _check_export(export: Path, output: Path, inputs: list[str]) -> None:
    """The request file, by `atomic`'s rules: new, or an earlier export (never an article of this
    run, OUT, another batch's output or any other file); a device or FIFO is written through."""
    import os

    from ..atomic import check_destination
    from ..batch.engine.format import REQUEST_FILE

    if os.path.abspath(export) == os.path.abspath(output):
        raise ConfigError(f"--export-requests {export} is also -o", "pass another file name")
    check_destination(export, label="--export-requests", user=True, ours=REQUEST_FILE,
                      protect=[output, *(i for i in inputs if i != "-")], probe=True)
