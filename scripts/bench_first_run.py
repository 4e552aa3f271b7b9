"""What a first run costs: ``wordvec train`` of the sample corpus on an empty Numba cache.

Each run is a fresh ``wordvec train sample_corpus/world.txt -q`` (the console script
beside this Python) with ``NUMBA_CACHE_DIR`` pointing at a new empty folder, then one
more run on that folder, warm. It prints, per kind of model, the compile seconds and
training seconds that the run records in ``meta.json`` and the wall seconds of the
whole process, as median (min-max) over the repeats.

``--tree DIR`` (repeatable) runs the ``wordvec`` package found in DIR instead of
this checkout's (through ``PYTHONPATH``), so that two commits can be compared in one
run: the trees take turns, in an order that rotates by one each repeat.

Usage: ``python scripts/bench_first_run.py --repeats 3 --threads 2``
Time: about 10 s for a cold and a warm run; the default (4 kinds x 3 repeats, 1 tree)
about 3 minutes, twice that with two trees.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _data import ROOT, SAMPLE
from benchmark import spread

KINDS = {"default": [], "per-pair": ["--no-shared-negatives"], "cbow": ["--model", "cbow"],
         "subwords": ["--subwords"]}
F = "{:.2f}"  # seconds


def run(tree: Path, kind: str, cache: str, threads: int) -> dict:
    """One training run of the sample; its compile, training and wall seconds."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache, PYTHONPATH=str(tree))
    with tempfile.TemporaryDirectory() as out:
        model = Path(out) / "model"
        start = time.perf_counter()
        subprocess.run([str(Path(sys.executable).parent / "wordvec"), "train", str(SAMPLE),
                        "-o", str(model), "-q", "--threads", str(threads), *KINDS[kind]],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        stats = json.loads((model / "meta.json").read_text())["stats"]
    return {"compile": stats["compile_seconds"], "train": stats["train_seconds"], "wall": wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--kinds", nargs="+", choices=sorted(KINDS), default=list(KINDS))
    parser.add_argument("--tree", type=Path, action="append",
                        help="a folder holding a wordvec package (default: this checkout)")
    args = parser.parse_args()
    trees = [t.resolve() for t in args.tree] if args.tree else [ROOT]
    results: dict = {(t, k, w): [] for t in trees for k in args.kinds
                     for w in ("cold", "warm")}
    for r in range(args.repeats):
        order = trees[r % len(trees):] + trees[:r % len(trees)]
        for kind in args.kinds:
            for tree in order:
                with tempfile.TemporaryDirectory() as cache:
                    results[tree, kind, "cold"].append(run(tree, kind, cache, args.threads))
                    results[tree, kind, "warm"].append(run(tree, kind, cache, args.threads))
    print(f"sample corpus, {args.threads} threads, {args.repeats} repeats: median (min-max)")
    print("| tree | kind | cache | compile s | training s | compile + training s | wall s |")
    print("|---|---|---|---|---|---|---|")
    for (tree, kind, cache), runs in results.items():
        cells = [spread([r[key] for r in runs], F) for key in ("compile", "train")]
        cells.append(spread([r["compile"] + r["train"] for r in runs], F))
        cells.append(spread([r["wall"] for r in runs], F))
        print(f"| {tree.name} | {kind} | {cache} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
