"""`summarizer eval GOLD_DIR`: score the summarizer against a folder of gold files.

Registered on the app by `summarizer.cli.root`. Only typer and
light modules are imported at module level: the evaluator, the library client and rich load inside
the command, so `summarizer --help` stays fast.

Exit status: 0 when every article was summarized and scored, whatever the scores (low scores
are a result, not a failure). When some articles failed (missing recording, provider error,
...), the full report is still printed, then one line on stderr, and the exit status is that
error's documented code when all failures are of one kind (e.g. 10 for missing recordings),
else 1. A failure before any article runs (bad options, no gold files, an unknown --split
name, a split naming articles GOLD_DIR does not have, --split-file without --split) exits
through `_errors` as usual: one line, exit 3 (input error).

Every article goes to the model (or to --replay fixtures): the result cache is not used, so
a score always reflects the current prompt, model and settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ..errors import InputError
from .common import (
    MODEL_OPTIONS,
    Debug,
    ModelOptions,
    Verbose,
    err,
    errors_to_exit,
    preflight,
    printer,
    with_model_options,
    write_output,
)
from .logs import NoLog, RunLog

if TYPE_CHECKING:
    from ..evaluate import FileScore


@with_model_options("eval")
def eval_cmd(
    gold_dir: Annotated[
        Path, typer.Argument(metavar="GOLD_DIR", help="Folder of NAME.gold.json files, each next to NAME.txt or NAME.html.")
    ],
    split: Annotated[
        Optional[str],
        typer.Option("--split", metavar="NAME", help="Score only this part of the split (e.g. tuning, validation); see --split-file."),
    ] = None,
    split_file: Annotated[
        Optional[Path],
        typer.Option("--split-file", metavar="FILE", help="Split file to read (default: GOLD_DIR/split.json if present, else the development split shipped with summarizer)."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON instead of a table.")] = False,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE", help="Write here instead of stdout.")] = None,
    model_options: ModelOptions = MODEL_OPTIONS,
    no_log: NoLog = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Summarize every gold article and score the results (targets P/R/F1, quote recall,
    speaker accuracy, verbatim share, allegation recall and direction, summary sentences on site
    furniture); --split NAME scores one part (tuning, validation). Exits 0 whatever the scores."""
    with errors_to_exit(debug):
        import json

        from ..evaluate import evaluate, load_gold, report_table
        from ..evaluate.split import select

        cases = load_gold(gold_dir)  # refuse a bad folder, split or split file before building a client
        if split is not None:
            select(cases, gold_dir, split, split_file)
        elif split_file is not None:
            raise InputError("--split-file needs --split NAME", "name the part of the split to score")
        settings = model_options.settings()
        preflight(settings, output)  # -o and --record are usable before any article runs
        from ..api import Summarizer

        log = RunLog("eval", settings, off=no_log)  # every article in the history
        summarizer = Summarizer(settings, cache=False, on_event=printer(verbose), on_finish=log.hook())

        def progress(fs: FileScore) -> None:
            err(f"eval: {fs.name}: " + (f"error: {fs.error}" if fs.error else "scored"))

        try:
            report = evaluate(
                gold_dir, summarizer.run, split=split, split_file=split_file, on_file=progress if verbose else None
            )
        finally:
            summarizer.close()
            log.close()
        if json_out:
            text = json.dumps(report.to_json(), indent=2, ensure_ascii=False)
        else:
            text = report_table(report)
        write_output(text, output)

        failed = report.failed
        if failed:
            codes = {f.exit_code or 1 for f in failed}
            err(
                f"error: {len(failed)} of {len(report.files)} articles failed "
                f"(first: {failed[0].name}: {failed[0].error})"
            )
            raise typer.Exit(codes.pop() if len(codes) == 1 else 1)
