#!/usr/bin/env python3
"""Speed of sanctions screening on the full OFAC SDN file, against plain dict lookups.

Measured in one run, median of several:
- cold load: detect + parse the 3.9 MB sdn.csv and build the index (a fresh cache directory),
  against the ideal of reading the same CSV into a plain dict {casefolded name: row};
- cached load: the same index from the on-disk cache (the SQLite index keyed by the file's SHA-256);
- screening 1,000 names (listed names re-spelt, names with a typo, names not on the list),
  against 1,000 plain dict lookups of the same names (exact match only: the floor);
- the one-off cost of the first person name in a process (rigour builds its name tagger);
- the whole command `summarizer screen "Mahan Air" --screen sdn.csv` with warm caches: wall time
  and peak RSS of the process, against `python -c pass` (the goal: <= 20x and <= 150 MB).
Run: python benchmarks/screening.py [path/to/sdn.csv]
"""

from __future__ import annotations

import csv
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ../shared beside the checkout (a worktree one level deeper finds it one level up)
DEFAULT_LIST = next(
    (p for p in (r / "shared" / "lists" / "ofac-sdn-2024-05-03.csv" for r in (ROOT.parent, ROOT.parent.parent)) if p.is_file()),
    ROOT.parent / "shared" / "lists" / "ofac-sdn-2024-05-03.csv",
)


def _median(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def plain_dict(path: Path) -> dict[str, list[str]]:
    text = path.read_bytes().decode("utf-8").rstrip("\x1a\r\n")
    return {row[1].casefold(): row for row in csv.reader(io.StringIO(text)) if len(row) > 1}


def sample_names(path: Path, n: int = 1000, seed: int = 7) -> list[tuple[str, str | None]]:
    """(name, kind): 50% listed names re-spelt (Given FAMILY), 25% with a typo, 25% not listed."""
    rng = random.Random(seed)
    rows = [r for r in csv.reader(io.StringIO(path.read_text("utf-8").rstrip("\x1a\r\n"))) if len(r) == 12]
    kinds = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft"}
    out: list[tuple[str, str | None]] = []
    for r in rng.sample(rows, n // 2):
        name = r[1]
        if "," in name:
            family, given = name.split(",", 1)
            name = f"{given.strip()} {family.strip().title()}"
        out.append((name, kinds.get(r[2], "organization")))
    for r in rng.sample(rows, n // 4):
        name = r[1]
        i = rng.randrange(1, max(2, len(name) - 1))
        out.append((name[:i] + name[i + 1 :], kinds.get(r[2], "organization")))  # one letter dropped
    given = ["Maria", "John", "Wei", "Fatima", "Olga", "Pedro", "Aiko", "Kwame", "Lena", "Omar"]
    family = ["Schmidt", "Okafor", "Lindqvist", "Tanaka", "Moreau", "Novak", "Silva", "Haddad", "Kowalski", "Brennan"]
    for _ in range(n - len(out)):
        out.append((f"{rng.choice(given)} {rng.choice(family)} {rng.choice(['Trading', 'Holdings', ''])}".strip(), None))
    rng.shuffle(out)
    return out


def first_person_cost() -> float:
    code = (
        "import time; from summarizer.screening.match import analyzed; t=time.perf_counter(); "
        "analyzed('Abdolhossein Khedri', 'person', True); print(time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


_HWM = (
    "import re, sys\n"
    "hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())\n"
    "sys.stderr.write('RSS %s\\n' % hwm.group(1))\n"
)


def _process(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one process running module `args[0]` with `args`
    (none: `python -c pass` plus the RSS read). Peak RSS is the process's VmHWM: ru_maxrss
    would carry over the benchmark's own high-water mark across fork and exec."""
    run = (
        "import runpy, sys\n"
        f"sys.argv = {args!r}\n"
        "try:\n    runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)\n"
        "except SystemExit:\n    pass\n"
    ) if args else ""
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", run + _HWM], env=env, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    rss = [int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("RSS ")][-1] / 1024
    return wall, rss


def cli_screen(path: Path, runs: int = 3) -> list[tuple[str, float, str]]:
    """`summarizer screen "Mahan Air" --screen LIST`, warm, against `python -c pass`, interleaved."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "SUMMARIZER_CACHE_DIR": cache, "PYTHONPATH": str(ROOT)}
        args = ["summarizer", "screen", "Mahan Air", "--screen", str(path)]
        _process(args, env)  # builds the index: the runs below are warm
        screens, passes = [], []
        for _ in range(runs):
            passes.append(_process([], env))
            screens.append(_process(args, env))
    wall = statistics.median(w for w, _ in screens)
    ideal = statistics.median(w for w, _ in passes)
    rss = max(r for _, r in screens)
    return [
        ("python -c pass", ideal, "ideal for a whole process"),
        ('summarizer screen "Mahan Air" (warm)', wall,
         f"{wall / ideal:.1f}x python -c pass; peak RSS {rss:.0f} MB (python -c pass {max(r for _, r in passes):.0f} MB)"),
    ]


def measure(path: Path = DEFAULT_LIST) -> list[tuple[str, float, str]]:
    from summarizer.screening import index as index_mod
    from summarizer.screening.match import screen_name

    with tempfile.TemporaryDirectory() as cache:
        os.environ["SUMMARIZER_CACHE_DIR"] = cache
        ideal_load = _median(lambda: plain_dict(path), 5)

        def cold() -> None:
            index_mod.forget()
            for f in index_mod.cache_dir().glob("*"):
                f.unlink()
            index_mod.load(path)

        def cached() -> None:
            index_mod.forget()
            assert index_mod.load(path).cached

        cold_load = _median(cold, 3)
        index_mod.forget()
        index_mod.load(path)  # writes the cache
        cached_load = _median(cached, 5)
        index = index_mod.load(path)
        names = sample_names(path)
        lookup = plain_dict(path)
        screen_name(index, "Abdolhossein Khedri", "person")  # rigour's tagger, once per process
        ideal_screen = _median(lambda: [lookup.get(n.casefold()) for n, _ in names], 7)
        hits = 0

        def screen_all() -> None:
            nonlocal hits
            hits = sum(bool(screen_name(index, n, k)) for n, k in names)

        screen = _median(screen_all, 3)
    tagger = first_person_cost()
    size = path.stat().st_size / 1e6
    return [
        (f"plain dict from the CSV ({size:.1f} MB)", ideal_load, "ideal for loading"),
        ("cold load: detect, parse, index", cold_load, f"{cold_load / ideal_load:.1f}x the plain dict"),
        ("load from the on-disk cache", cached_load, f"{cached_load / ideal_load:.1f}x the plain dict"),
        ("1,000 plain dict lookups", ideal_screen, "ideal for screening (exact only)"),
        ("screen 1,000 names", screen, f"{screen / ideal_screen:.0f}x the dict lookups; {screen * 1000 / 1000:.2f} ms per name; {hits} with hits"),
        ("first person name in a process", tagger, "one-off: rigour builds its name tagger"),
        *cli_screen(path),
    ]


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_LIST
    if not path.is_file():
        sys.exit(f"no list at {path}: pass the path of an OFAC sdn.csv")
    rows = measure(path)
    width = max(len(r[0]) for r in rows)
    for name, secs, note in rows:
        print(f"{name:<{width}}  {secs * 1000:10.2f} ms  {note}")


if __name__ == "__main__":
    main()
