"""Many articles through one `Summarizer`: input expansion (`expand`), a JSONL output file that
survives `kill -9` and resumes (`results`), the run itself (`run`) and its progress bar (`progress`).

Inputs (`expand_inputs`), each INPUT argument giving at least one output line:
- a file: one article, id = its path relative to the folder all the arguments share (one folder
  given: relative to it; see `expand.ids_base`). A `.jsonl` file is not an article but a list of
  records `{"id": str|int, "text": str}`, one per line: id = the record's id. A record line that
  is not valid JSON, not an object, or lacks a usable id/text becomes an error line for that
  record (id = the record's id when it has one, else `PATH:LINENO`); blank lines are ignored.
- a directory: walked recursively in sorted order, picking up `*.txt`, `*.html`, `*.htm`
  (case-insensitive), or the names matching `--glob PATTERN`s instead; skipping hidden files
  and directories (names starting with "."), project files (README, LICENSE, CHANGELOG,
  CONTRIBUTING, ...) and `summarizer render` output directories, with one note per directory
  saying how many were skipped and why (`choose`). `.jsonl` and `.md` files inside a directory
  are NOT read by default: a directory is a folder of articles, and the batch output
  (`-o out.jsonl`) and documentation often live right next to them. id = the path relative to the folder the arguments share
  (`batch /data/news/` gives `01_story.txt`; `batch monday/ tuesday/` gives `monday/01.txt`).
- a glob pattern (`*`, `?`, `[` and no file of that literal name): expanded with
  `glob.glob(recursive=True)`, sorted; matched files are taken whatever their suffix (`.jsonl`
  ones as records), matched directories are walked as above.
- `-`: a list of paths on stdin, one per line (blank lines ignored), each expanded by the rules
  above, so `find ... | summarizer batch -` works; their ids are the paths as given (the list is
  read lazily, so there is no shared folder to count from).
A missing file, an empty directory, a pattern matching nothing or a FIFO/socket/device gives one
error line with the argument (or the file) as its id. The output file itself is never read as an input.

Loading is lazy: expansion yields `(id, loader)` pairs holding a path (or a path and a byte
offset for a JSONL record), never the text; a worker calls the loader when it starts that
article, so memory stays flat however many inputs there are.

Output contract (one line per input, written with ONE `os.write` on an `O_APPEND` descriptor as
each article finishes):
    {"id": ..., "ok": true, "result": {...}}
    {"id": ..., "ok": false, "error": {"type": "<err.kind>", "message": "<err.one_line()>"}}
An unexpected exception is `"type": "internal"`. A run killed at any moment, even by SIGKILL,
leaves only whole lines, except possibly a torn last line, which the next run cuts away. An
existing output is checked whole before that repair: if any complete line is not a result line,
or the tail is not the start of one, the run is refused (ConfigError) and the file left as it
was. Anything but a regular file (symlink, FIFO, device, directory) is refused as `-o`; as an
input it gets an error line and is never read.

Resume: rerunning with the same `-o` skips every input that already has an ok line (a file is
recognised by its id or by the file its line summarized, so output files written by versions
that used the path as given as the id resume too, see `ResultFile.known_id`), and (by
default, `--retry-failed`) runs the failed ones again; `--skip-failed` keeps them as they are.
When a failed id is redone, its old line is removed when the run ends (the file is rewritten
atomically), so after every run that ends — even with failures or Ctrl-C — the file holds
exactly one line per id. Only a killed run can leave an old failed line followed by a newer
line for the same id; the next run cleans it up. A reader that cannot wait should let an ok line
win, and otherwise the last line.

Duplicate ids within one run: the first occurrence is processed, later ones are skipped (no
line written, counted in "skipped", a warning on stderr). Ids must be unique to be useful keys.

A second `summarizer batch` writing the same output file at the same time is refused (flock).
"""

from __future__ import annotations

from ..errors import EXIT_SOME_FAILED
from ..settings import DEFAULT_CONCURRENCY
from .choose import ARTICLE_SUFFIXES, Choose
from .expand import FileLoader, Id, Item, Loader, expand_inputs, given_path
from .results import ResultFile, error_line, ok_line
from .run import Tally, current_id, run_batch

__all__ = [
    "ARTICLE_SUFFIXES",
    "Choose",
    "DEFAULT_CONCURRENCY",
    "EXIT_SOME_FAILED",
    "FileLoader",
    "Id",
    "Item",
    "Loader",
    "ResultFile",
    "Tally",
    "current_id",
    "error_line",
    "expand_inputs",
    "given_path",
    "ok_line",
    "run_batch",
]
