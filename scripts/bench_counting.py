"""Counting and encoding: one thread against N, and against other checkouts.

Times the trainer's counting pass, the vocabulary and the encoding of a text file
with ``--threads 1`` and ``--threads N`` (below ``parallel_count.WORKERS_FROM``
threads both count in one process with the kernels; from it, in N worker
processes), each run in a fresh process, alternating, R times each, and prints the
medians (min-max) and their ratios. ``--baseline ROOT`` also times the serial pass
of another checkout (e.g. ``git worktree add /tmp/base 5919dcf``, the code before
worker counting), so the gain is measured against what users had; ``--other ROOT``
times another checkout at N threads (e.g. 928660c, two worker processes). Default
settings otherwise (the default tokenizer).

Usage: ``python scripts/bench_counting.py FILE [--threads 2] [--repeats 3]
[--baseline ROOT] [--other ROOT]``; a plain (uncompressed) file, e.g. ``head -c
120000000`` of the dev text. Time: about 15 s a repeat per checkout on that file.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

from _data import ROOT
from benchmark import spread

# Run with the checkout to time first on sys.path: ROOT, FILE, THREADS.
CHILD = """
import sys, tempfile, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from wordvec import trainer, vocab
from wordvec.config import TrainConfig
from wordvec.stats import TrainStats
config = TrainConfig(threads=int(sys.argv[3]))
with tempfile.TemporaryDirectory() as tmp:
    start = time.perf_counter()
    raw = trainer._count([Path(sys.argv[2])], config, Path(tmp), (False, None), False,
                         TrainStats())
    words = vocab.build_vocab(raw, config.min_count, config.max_vocab, None)
    ids, _ = vocab.encode(raw, words, Path(tmp))
    print(time.perf_counter() - start, raw.n_tokens, len(words), len(ids))
"""


def count_and_encode(root: Path, path: Path, threads: int) -> tuple[float, str]:
    """Seconds to count, build the vocabulary and encode; what was counted."""
    out = subprocess.run([sys.executable, "-c", CHILD, str(root), str(path), str(threads)],
                         capture_output=True, text=True, check=True, cwd="/").stdout.split()
    return float(out[0]), f"{int(out[1]):,} tokens, {int(out[2]):,} words, {int(out[3]):,} ids"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another checkout's root, timed serial")
    parser.add_argument("--other", type=Path, help="another checkout's root, timed at --threads")
    args = parser.parse_args()
    runs = {"serial": (ROOT, 1), f"{args.threads} threads": (ROOT, args.threads)}
    if args.baseline:
        runs["baseline serial"] = (args.baseline.resolve(), 1)
    if args.other:
        runs[f"other, {args.threads} threads"] = (args.other.resolve(), args.threads)
    times: dict[str, list[float]] = {name: [] for name in runs}
    for r in range(args.repeats):
        for name in (list(runs) if r % 2 == 0 else list(runs)[::-1]):
            root, threads = runs[name]
            seconds, counted = count_and_encode(root, args.file.resolve(), threads)
            times[name].append(seconds)
            print(f"{name}: {seconds:.2f} s, {counted}", flush=True)
    med = {name: statistics.median(v) for name, v in times.items()}
    first = "baseline serial" if args.baseline else "serial"
    for name, v in times.items():
        print(f"{name}: {spread(v, '{:.2f}')} s; "
              f"{first} / this: {med[first] / med[name]:.2f}x")


if __name__ == "__main__":
    main()
