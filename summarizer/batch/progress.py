"""The batch progress bar: rich on a terminal's stderr, nothing in pipes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .run import Tally


class Bar:
    """A rich progress bar on stderr, or nothing. Built only when enabled (rich is lazy)."""

    def __init__(self, enabled: bool, total: int | None) -> None:
        self.active = enabled
        self._progress: Any = None
        self._task: Any = None
        self._total = total
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        class Rate(ProgressColumn):
            def render(self, task: Any) -> Text:
                speed = task.finished_speed or task.speed
                return Text(f"{speed:.1f}/s" if speed else "-/s", style="progress.data.speed")

        self._progress = Progress(
            TextColumn("batch"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("ok {task.fields[ok]} failed {task.fields[failed]} skipped {task.fields[skipped]}"),
            Rate(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = self._progress.add_task("batch", total=total, ok=0, failed=0, skipped=0)
        self._skipped = 0

    def __enter__(self) -> Bar:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def print(self, message: str) -> None:
        self._progress.console.print(message, markup=False, highlight=False)

    def skip(self) -> None:
        """A skipped input leaves the total, so rate and ETA reflect real work only."""
        if self._progress is None:
            return
        self._skipped += 1
        total = None if self._total is None else self._total - self._skipped
        self._progress.update(self._task, total=total, skipped=self._skipped)

    def advance(self, tally: Tally) -> None:
        if self._progress is not None:
            self._progress.update(self._task, advance=1, ok=tally.done, failed=tally.failed)
