"""Counting and encoding: the serial pass (one thread) against worker processes.

Runs the trainer's counting pass, the vocabulary and the encoding of a text file
with ``--threads 1`` (serial) and ``--threads N`` (N worker processes), alternating,
R times each, in this process, and prints the medians (min-max) and their ratio.
Default settings otherwise (the default tokenizer).

Usage: ``python scripts/bench_counting.py FILE [--threads 2] [--repeats 3]``; a
plain (uncompressed) file, e.g. ``head -c 120000000`` of the dev text.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def count_and_encode(path: Path, threads: int) -> tuple[float, int, int]:
    """Seconds to count, build the vocabulary and encode; tokens; vocabulary size."""
    from wordvec import trainer, vocab
    from wordvec.config import TrainConfig
    from wordvec.stats import TrainStats

    config = TrainConfig(threads=threads)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        raw = trainer._count([path], config, Path(tmp), (False, None), False, TrainStats())
        words = vocab.build_vocab(raw, config.min_count, config.max_vocab, None)
        vocab.encode(raw, words, Path(tmp))
        return time.perf_counter() - start, raw.n_tokens, len(words)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    times = {1: [], args.threads: []}
    for r in range(args.repeats):
        for threads in (list(times) if r % 2 == 0 else list(times)[::-1]):
            seconds, tokens, words = count_and_encode(args.file, threads)
            times[threads].append(seconds)
            print(f"threads {threads}: {seconds:.2f} s, {tokens:,} tokens, {words:,} words",
                  flush=True)
    med = {t: statistics.median(v) for t, v in times.items()}
    shown = [f"{t} thread(s) {med[t]:.2f} s ({min(v):.2f}-{max(v):.2f})"
             for t, v in times.items()]
    print(", ".join(shown) + f"; ratio {med[1] / med[args.threads]:.2f}x")


if __name__ == "__main__":
    main()
