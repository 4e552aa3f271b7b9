"""Continued training and pre-trained initialisation on the two halves of a corpus.

Splits the corpus by lines into halves A and B, then with the CLI: trains on A;
resumes that model on B (--resume); trains on B from A's exported vectors
(--init); trains on B from scratch. Each model is scored on the analogy, WS353 and
SimLex sets in gensim's wheel (bench extra). Prints a markdown table.

Usage: ``python scripts/warmstart_halves.py [--corpus ../shared/corpora/dev.txt.xz]``
Time: four 5-epoch trainings of half the corpus; about 20 minutes for dev.txt on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from _data import default_corpus, eval_sets


def wordvec(*args) -> str:
    proc = subprocess.run([sys.executable, "-m", "wordvec", *map(str, args)],
                          capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"wordvec {' '.join(map(str, args))} failed: {proc.stderr}")
    return proc.stdout


def split_halves(corpus: Path, folder: Path) -> tuple[Path, Path]:
    from wordvec.corpus import iter_text

    half = sum(chunk.count("\n") for chunk in iter_text(corpus)) // 2
    a, b = folder / "a.txt", folder / "b.txt"
    seen = 0
    with open(a, "w", encoding="utf-8") as fa, open(b, "w", encoding="utf-8") as fb:
        for chunk in iter_text(corpus):
            lines = chunk.split("\n")  # a line cut by a chunk boundary stays whole:
            for k, line in enumerate(lines):  # pieces go to the same file in order
                (fa if seen < half else fb).write(line + ("\n" if k < len(lines) - 1 else ""))
                seen += k < len(lines) - 1
    return a, b


def scores(model: Path) -> dict:
    sets = eval_sets()
    out = json.loads(wordvec("evaluate", "-m", model, "--json", "--analogies", sets["analogy"],
                             "--pairs", sets["ws353"], "--pairs", sets["simlex"]))
    return {"analogy": out["analogies"]["accuracy"],
            "ws353": out["pairs"][str(sets["ws353"])]["spearman"],
            "simlex": out["pairs"][str(sets["simlex"])]["spearman"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        a, b = split_halves(args.corpus, tmp)
        common = ["--epochs", args.epochs, "-q"]
        runs = {"A (first half)": ["train", a, "-o", tmp / "A", *common]}
        runs["A resumed on B (--resume)"] = ["train", b, "--resume", tmp / "A", "-o",
                                             tmp / "AB", *common]
        runs["B from A's vectors (--init)"] = ["train", b, "--init", tmp / "A.txt", "-o",
                                               tmp / "BI", *common]
        runs["B from scratch"] = ["train", b, "-o", tmp / "B", *common]
        print("| model | summary | analogy | WS353 | SimLex |\n|---|---|---|---|---|")
        for name, cmd in runs.items():
            summary = wordvec(*cmd).strip()
            model = cmd[cmd.index("-o") + 1]
            if name.startswith("A ("):
                wordvec("export", "-m", model, "-f", "glove", "-o", tmp / "A.txt")
            s = scores(model)
            print(f"| {name} | {summary.split('; saved')[0]} | {s['analogy']:.4f} "
                  f"| {s['ws353']:.4f} | {s['simlex']:.4f} |", flush=True)


if __name__ == "__main__":
    main()
