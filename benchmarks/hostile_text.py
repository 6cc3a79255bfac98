#!/usr/bin/env python3
"""Does the work grow in step with the article? Texts built to make a pattern backtrack.

    python benchmarks/hostile_text.py [--size 40000] [--only spaces,nbsp]

A hostile or broken file (a scrape padded with 100,000 spaces, a list of 20,000 bullets) must
cost what its length costs, not its length squared: the input limit is 5 MB, and a pattern that
rescans a run from each of its characters turns that into hours. Each text is a short article
with one unit repeated to `size` characters, then to 4 x `size`; the whole local path runs on
it (the library with `--backend rules`: reading, quotations, sentences, the rules' answer,
grounding, the result), and then the focused plan's own code on it (the embedded model's
questions built and every answer taken as none: cue words, options, issuer, targets by the
wording), whose patterns the rules path does not run. The ideal is linear growth: the ratio of the two times against 4.0.
A ratio near 1 is linear; near 4 is quadratic.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

UNITS = {
    "spaces": " ", "tabs": "\t", "no-break spaces": "\u00a0", "newlines": "\n", "blank lines": "\n\n",
    "spaces and newlines": "  \n  ", "dots": ".", "commas": ",", "straight quotes": '"', "curly quotes": "\u201c",
    "quoted words": "\u201cA\u201d ", "said": "X said. ", "quotation, said": "\u201cx,\u201d A said. ",
    "bullets": "\n- Ab Cd", "capitals": "Abc ", "initials": "A. ", "parentheses": "(", "colons": ": ",
    "the following": "the following: ", "ellipses": "\u2026", "zero-width spaces": "\u200b",
    "names said": "Ab Cd said ", "mixed": "Ab. \u201c",
    "accusations": "Ab Cd accused Ef. ", "demonyms": "Iranian and Russian claims. ", "German nouns": "die Vorwürfe der Reederei Ab ",
    "German sources": "nach Angaben von Ab laut der Cd ", "described accused": "Two aa of a Bb firm were charged; ",
    "appositions": "Ab Cd, a state-owned producer, ", "opening phrases": "In his address, He ",
    "evaded sanctions": "to evade sanctions on Ab Cd ", "counted targets": "sanctioned three Ab companies ",
    "harmed names": "the death of Ab Cd, Ab's widow ", "German accusations": "Die EU wirft Ab vor, ",
    "served names": "arms on behalf of the Ab Cd (AB) ", "registrations": "the aircraft EP-FAA, ",
    "court reports": "Ab allegedly sold coal, a jury has heard, the court heard. ",
    "credited conduct": "Ab Cd facilitated payments, according to the Ef ",
    "spokesperson denials": "A spokesperson for Ab Cd said it has always complied with all ",
    "counted then named": "sanctioned two Ab entities.\n\nThe two entities are Ab Cd and Ef Gh.\n\n",
    "body speakers": "\u201cx,\u201d the foreign ministry said. ", "vessel lists": "The tankers include the Ab Cd and the Ef ",
    "attributive names": "a Sydney businessman and an Ab Cd firm ",
    "indictments": "Two charged with x, according to an indictment unsealed. The indictment alleges that the two men lied. ",
    "called names": "Ab called Cd \u201cx\u201d ",
    "proposed sanctions": "The proposal would impose possible sanctions on Ab Cd, ",
    "condemned owners": "The Ab party, which rules, called the Cd Ef discussions \u201cx\u201d ", "described speakers": "The company\u2019s director, Ab Cd, said ", "listed by": "Ab Cd Ltd was listed by the Council of the EU on ",
    "lawyers' denials": "Ab's lawyer, Cd Ef, said his client denies ", "counted in sentences": "sanctions on two individuals and one entity. The entity is Ab Cd. Those sanctioned include Ef. ",
}
HEAD = "The Treasury sanctioned Ab Cd on Monday, officials said. "
TAIL = " End of the story here."


def measure(size: int, only: set[str] | None = None) -> dict[str, tuple[float, float]]:
    """Seconds for each unit at `size` and at 4 x `size` characters."""
    from summarizer.api import Summarizer

    out: dict[str, tuple[float, float]] = {}
    with Summarizer(backend="rules", cache=False) as s:
        s.summarize(HEAD + TAIL)  # imports and compiled patterns: not the text's cost
        for name, unit in UNITS.items():
            if only and name not in only:
                continue
            times = []
            for n in (size, 4 * size):
                text = HEAD + unit * (n // len(unit)) + TAIL
                t0 = time.perf_counter()
                s.summarize(text)
                times.append(time.perf_counter() - t0)
            out[name] = (times[0], times[1])
            times = []
            for n in (size, 4 * size):
                text = HEAD + unit * (n // len(unit)) + TAIL
                t0 = time.perf_counter()
                _unanswered(text)
                times.append(time.perf_counter() - t0)
            out[f"{name} (focused)"] = (times[0], times[1])
    return out


def _unanswered(text: str) -> None:
    """Run the focused plan over `text`, every question answered with none."""
    from summarizer import focused

    steps = focused.plan(text)
    try:
        next(steps)
        while True:
            steps.send(None)
    except StopIteration:
        pass


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=40_000)
    ap.add_argument("--only", default="", help="comma-separated unit names")
    args = ap.parse_args()
    only = {u.strip() for u in args.only.split(",") if u.strip()} or None
    worst = 0.0
    for name, (a, b) in measure(args.size, only).items():
        ratio = (b / a) / 4.0 if a > 0 else 0.0
        worst = max(worst, ratio)
        print(f"{name:<32} {a:7.3f} s  {b:7.3f} s at 4x  growth {ratio:.2f}x linear")
    print(f"worst: {worst:.2f}x linear (1.0 = linear, 4.0 = quadratic)")
