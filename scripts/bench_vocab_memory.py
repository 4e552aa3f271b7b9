"""Peak memory against vocabulary size: wordvec and gensim on the same Zipf text.

For each vocabulary size V (default 10k, 100k and 1M) writes a shuffled corpus of
N tokens (default 50M, the same N for every V, 20 words a line) in which word r of
V occurs floor(A / r) + 5 times, A chosen so that the counts sum to N: a Zipf head
and a tail that every word of V survives at min count 5. Then trains wordvec (its
defaults) and gensim ``Word2Vec`` (``corpus_file``; ``--tools`` picks, and can add
``gensim-iter``, ``LineSentence``) on it at dim 300, 1 epoch (peak memory is reached in the first
epoch), each in a fresh process, and reports:

- the run's peak memory: the sum of the resident sets of the process and its
  children, sampled every 20 ms (wordvec counts in worker processes, gensim in
  threads; this is what the machine has to hold);
- the process's own peak RSS (``ru_maxrss``), for comparison with the other
  benchmarks;
- the vocabulary size each tool kept and its end-to-end seconds.

The corpora stay in bench-out/ (ignored by git) for a rerun; a rerun replaces the
rows it measures in the JSON file and keeps the others. Needs the bench extra.
Usage: ``python scripts/bench_vocab_memory.py``; about 30 minutes on 2 cores and
1 GB of scratch disk.
"""

from __future__ import annotations

import argparse
import json
import os
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _data import ROOT
from benchmark import NAMES, SETTINGS, child_gensim, child_wordvec

LINE = 20  # words a line


def zipf_counts(vocab: int, n_tokens: int) -> np.ndarray:
    """floor(A / r) + 5 for r = 1..vocab, summing to about n_tokens."""
    ranks = np.arange(1, vocab + 1, dtype=np.float64)
    scale = (n_tokens - 5 * vocab) / (1.0 / ranks).sum()
    return (scale / ranks).astype(np.int64) + 5


def names(vocab: int) -> np.ndarray:
    """Distinct lowercase letter strings (kept whole by every tokenizer)."""
    letters = np.array(list(string.ascii_lowercase))
    out = np.full(vocab, "", dtype=object)
    rest = np.arange(vocab)
    while True:
        out = letters[rest % 26].astype(object) + out
        rest = rest // 26
        if not rest.any():
            return out  # base 26 at the width of the largest id: all distinct


def write_zipf(path: Path, vocab: int, n_tokens: int, seed: int = 0) -> int:
    ids = np.repeat(np.arange(vocab, dtype=np.int32), zipf_counts(vocab, n_tokens))
    np.random.default_rng(seed).shuffle(ids)
    words = names(vocab)
    tmp = path.with_suffix(".part")
    with open(tmp, "w", encoding="ascii") as f:
        for start in range(0, len(ids), 1_000_000):
            block = words[ids[start:start + 1_000_000]]
            f.write("\n".join(" ".join(block[i:i + LINE]) for i in range(0, len(block), LINE))
                    + "\n")
    tmp.rename(path)
    return len(ids)


def tree_rss_kb(pid: int) -> int:
    """Resident kB of ``pid`` and all its descendants (0 for any that has gone)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                total += next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")),
                              0)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def measure(tool: str, path: Path, threads: int) -> dict:
    """Run one child; return its JSON result with the sampled tree peak (MB)."""
    proc = subprocess.Popen([sys.executable, __file__, "--child", tool, "--corpus", str(path),
                             "--threads", str(threads)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_kb(proc.pid))
        time.sleep(0.02)
    out, err = proc.communicate()
    if proc.returncode:
        sys.exit(f"{tool} failed:\n{err}")
    result = json.loads(out.strip().splitlines()[-1])
    result["tree_mb"] = peak / 1024
    return result


def child(tool: str, path: Path, threads: int) -> None:
    SETTINGS["dim"] = 300  # the benchmark's settings otherwise
    run = child_wordvec if tool == "wordvec" else child_gensim
    with tempfile.TemporaryDirectory() as tmp:
        result = run(path, Path(tmp) / "model", threads, 1, tool, 1)
    print(json.dumps({"rss_mb": result["rss_mb"], "e2e": result["e2e"],
                      "vocab_size": len(result["words"])}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vocab", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--tokens", type=int, default=50_000_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--tools", nargs="+", default=["wordvec", "gensim-file"],
                        choices=["wordvec", "gensim-file", "gensim-iter"])
    parser.add_argument("--json", type=Path, default=ROOT / "bench-out" / "vocab_memory.json")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.corpus, args.threads)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    results = json.loads(args.json.read_text())["results"] if args.json.exists() else {}
    print("| vocabulary | tool | words kept | peak memory MB (process tree) "
          "| peak RSS MB (process) | end to end s |\n|---|---|---|---|---|---|", flush=True)
    for vocab in args.vocab:
        path = args.json.parent / f"zipf-{vocab}-{args.tokens}.txt"
        if not path.exists():
            write_zipf(path, vocab, args.tokens)
        for tool in args.tools:
            r = results[f"{vocab} {tool}"] = measure(tool, path, args.threads)
            print(f"| {vocab:,} | {NAMES[tool]} | {r['vocab_size']:,} "
                  f"| {r['tree_mb']:,.0f} | {r['rss_mb']:,.0f} | {r['e2e']:.1f} |", flush=True)
            args.json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                                             "results": results}, indent=1))


if __name__ == "__main__":
    main()
