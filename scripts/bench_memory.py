"""Peak memory of `wordvec train` on hostile inputs (robustness cases 7 and 8).

1. One line with no newline: 2 MB and 200 MB of words from a fixed 50,000-word
   vocabulary. Reading is bounded, so peak RSS should barely grow with the size;
   every word must be counted.
2. 20 million distinct random tokens (plus common words so that training runs),
   with --max-vocab-size 1,000,000: the count table is pruned, memory stays bounded,
   and the summary reports the pruning.

Prints peak RSS (from the child's rusage) per run. Usage:
``python scripts/bench_memory.py``; about 5 minutes and 700 MB of scratch disk.
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
from pathlib import Path


def write_single_line(path: Path, n_bytes: int, seed: int = 0) -> int:
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(50_000)]
    written = words = 0
    with open(path, "w", encoding="ascii") as f:
        while written < n_bytes:
            chunk = " ".join(rng.choices(vocab, k=10_000)) + " "
            f.write(chunk)
            written, words = written + len(chunk), words + 10_000
    return words


def write_distinct(path: Path, n_distinct: int) -> None:
    common = " ".join(f"c{i}" for i in range(100))
    with open(path, "w", encoding="ascii") as f:
        for start in range(0, n_distinct, 10_000):
            f.write(" ".join(f"u{k:x}" for k in range(start, start + 10_000)) + "\n")
            f.write(common + "\n")


# A wrapper process whose only child is the training run: its RUSAGE_CHILDREN peak
# is that run's own peak RSS, whatever ran before it.
MEASURE = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
           "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
           "sys.exit(code)")


def train(path: Path, out: Path, *extra) -> tuple[float, str]:
    """Run `wordvec train` in a child process; return (its peak RSS in MB, its summary)."""
    proc = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "wordvec",
                           "train", str(path), "-o", str(out), "--epochs", "1", "--dim", "20",
                           "-q", "--force", *extra], capture_output=True, text=True)
    if proc.returncode:
        sys.exit(proc.stderr)
    return int(proc.stderr.strip().splitlines()[-1]) / 1024, proc.stdout.strip()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        print("| input | tokens written | peak RSS MB | summary |\n|---|---|---|---|")
        for label, size in (("2 MB, one line", 2 << 20), ("200 MB, one line", 200 << 20)):
            words = write_single_line(tmp / "line.txt", size)
            rss, summary = train(tmp / "line.txt", tmp / "m")
            print(f"| {label} | {words:,} | {rss:.0f} | {summary} |", flush=True)
        write_distinct(tmp / "distinct.txt", 20_000_000)
        rss, summary = train(tmp / "distinct.txt", tmp / "m", "--max-vocab-size", "1000000")
        print(f"| 20M distinct tokens, --max-vocab-size 1M | 20,200,000 | {rss:.0f} "
              f"| {summary} |")


if __name__ == "__main__":
    main()
