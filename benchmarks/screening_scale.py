#!/usr/bin/env python3
"""Screening at OpenSanctions scale: 300,000 FtM entities with 1,000,000 names.

Generates the list (benchmarks/screening_gen_ftm.py) under a temporary directory, then runs
each measure in its own process, so every peak RSS is that phase's alone:
- ideal: read the same file into a dict {id: entity} (json per line), the floor for loading;
- cold: build the index (stream-parse, keys, SQLite file in a fresh cache directory);
- warm: load the built index (hash the list and the index file, open, check);
- screen: warm load, then screen 300 names (listed names re-spelt, with a typo, not listed),
  against the ideal of 300 dict lookups of the same names (exact spellings only);
- batch: the targets of a 10,000-article batch (30,000 names, 3 per article, drawn from the 300
  sample names, as a batch's articles name the same parties again and again) screened through
  one Screener, one call per article: matching, not loading, is the cost.
Ratios against the ideal measured in the same run. Writes benchmarks/results/screening-scale.json.
Run: python benchmarks/screening_scale.py [--entities N --names M] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent

_PHASES = {
    "ideal": """
entities = {}
with open(path, encoding="utf-8") as fh:
    for line in fh:
        obj = json.loads(line)
        entities[obj["id"]] = obj
out["count"] = len(entities)
""",
    "cold": """
from summarizer.screening import index as index_mod
index = index_mod.load(path)
assert not index.cached
out["entries"], out["names"] = index.n_entries, index.n_names
out["index_bytes"] = sum(p.stat().st_size for p in index_mod.cache_dir().glob("*.sqlite"))
""",
    "warm": """
from summarizer.screening import index as index_mod
index = index_mod.load(path)
assert index.cached
out["entries"] = index.n_entries
""",
    "screen": """
from summarizer.screening import Screener
screener = Screener.from_options([path])
names = json.loads(names_json)
screener.screen([(n, k, []) for n, k in names[:5]])  # rigour's org tagger, once per process
t = time.perf_counter()
hits = screener.screen([(n, k, []) for n, k in names])
out["screen_s"] = time.perf_counter() - t
out["with_hits"] = sum(bool(h) for h in hits)
lookup = {n.casefold(): 1 for n, _ in names[::2]}
t = time.perf_counter()
for _ in range(100):
    [lookup.get(n.casefold()) for n, _ in names]
out["lookup_s"] = (time.perf_counter() - t) / 100
""",
    "batch": """
from summarizer.screening import Screener
t = time.perf_counter()
screener = Screener.from_options([path])
out["load_s"] = time.perf_counter() - t
names = json.loads(names_json)
screener.screen([(n, k, []) for n, k in names[:5]])  # rigour's taggers, once per process
rng = random.Random(5)
t = time.perf_counter()
screened = 0
for article in range(10_000):  # as a batch does it: one call per article, its 3 targets
    screened += len(screener.screen([(n, k, []) for n, k in (rng.choice(names) for _ in range(3))]))
out["match_s"] = time.perf_counter() - t
out["distinct"] = len(names)
out["screened"] = screened
""",
}


def run_phase(phase: str, path: Path, cache: Path, names: list[tuple[str, str | None]] | None = None) -> dict:
    code = (
        "import json, random, resource, sys, time\n"
        f"path = {str(path)!r}\nnames_json = {json.dumps(json.dumps(names or []))}\nout = {{}}\n"
        "t0 = time.perf_counter()\n" + _PHASES[phase] + "\nout['wall_s'] = time.perf_counter() - t0\n"
        "out['peak_rss_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps(out))\n"
    )
    env = {**os.environ, "SUMMARIZER_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{phase} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def sample(path: Path, n: int, seed: int = 11) -> list[tuple[str, str | None]]:
    """Names to screen: 1/2 listed names re-spelt (case, order), 1/4 with a typo, 1/4 not listed."""
    rng = random.Random(seed)
    picked: list[tuple[str, str]] = []
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i % 997 == 0:
                obj = json.loads(line)
                if obj["schema"] != "Sanction":
                    kind = {"Person": "person", "Vessel": "vessel"}.get(obj["schema"], "organization")
                    picked.append((obj["properties"]["name"][0], kind))
    rng.shuffle(picked)
    out: list[tuple[str, str | None]] = []
    for name, kind in picked[: n // 2]:
        words = name.split()
        out.append((" ".join(reversed(words)).lower() if kind == "person" else name.upper(), kind))
    for name, kind in picked[n // 2 : n // 2 + n // 4]:
        i = rng.randrange(1, max(2, len(name) - 1))
        out.append((name[:i] + name[i + 1 :], kind))
    while len(out) < n:
        out.append((f"Zebulon {rng.choice(['Quackenbush', 'Fairweather', 'Wolfenden'])} {rng.randint(1, 999)}", None))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=300_000)
    parser.add_argument("--names", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="generate into (and reuse) this directory")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from screening_gen_ftm import write

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"gen-{args.entities}-{args.names}.ftm.json"
        if not path.exists():
            write(path, args.entities, args.names)
        cache = Path(tmp) / "cache"
        names = sample(path, 300)
        report: dict = {"file_mb": round(path.stat().st_size / 1e6, 1), "entities": args.entities, "names": args.names}
        report["ideal"] = run_phase("ideal", path, cache)
        report["cold"] = run_phase("cold", path, cache)
        report["warm"] = run_phase("warm", path, cache)
        report["screen"] = run_phase("screen", path, cache, names)
        report["batch"] = run_phase("batch", path, cache, names)
    ideal = report["ideal"]
    out = ROOT / "benchmarks" / "results" / "screening-scale.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"list: {report['file_mb']} MB, {args.entities:,} entities, {args.names:,} names")
    print(f"{'measure':<44}{'wall':>10}{'peak RSS':>12}   ratio to the dict (time, RSS)")
    print(f"{'ideal: read the file into a dict':<44}{ideal['wall_s']:>9.2f}s{ideal['peak_rss_mb']:>10.0f}MB")
    for key, label in (("cold", "cold: build the index"), ("warm", "warm: load the built index")):
        r = report[key]
        print(f"{label:<44}{r['wall_s']:>9.2f}s{r['peak_rss_mb']:>10.0f}MB   "
              f"{r['wall_s'] / ideal['wall_s']:.2f}x, {r['peak_rss_mb'] / ideal['peak_rss_mb']:.2f}x")
    s = report["screen"]
    per = s["screen_s"] / 300 * 1000
    print(f"{'screen 300 names (after a warm load)':<44}{s['screen_s']:>9.2f}s{s['peak_rss_mb']:>10.0f}MB   "
          f"{per:.1f} ms per name; {s['with_hits']} with hits; RSS {s['peak_rss_mb'] / ideal['peak_rss_mb']:.2f}x; "
          f"300 dict lookups {s['lookup_s'] * 1000:.3f} ms")
    b = report["batch"]
    print(f"{'10,000 articles x 3 targets (one Screener)':<44}{b['wall_s']:>9.2f}s{b['peak_rss_mb']:>10.0f}MB   "
          f"load {b['load_s']:.2f}s, matching {b['match_s']:.2f}s ({b['screened']} names, {b['distinct']} distinct)")
    print(f"index file: {report['cold']['index_bytes'] / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
