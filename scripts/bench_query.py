"""Query speed on a 100,000-word x 300-dim model: CLI round trip, in-process calls,
and the full Google analogy set against gensim's evaluate_word_analogies.

The model holds random vectors; its first words are those of the analogy set
(so that restrict 30,000 keeps them all), the rest fillers. Medians of 5 runs.
Needs the bench extra (gensim). Usage: ``python scripts/bench_query.py``; ~1 minute.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _data import eval_sets

from wordvec import Embeddings, evaluate

N_WORDS, DIM, REPEATS = 100_000, 300, 5


def timed(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def make_model(questions_path: Path, folder: Path) -> Embeddings:
    seen: dict[str, None] = {}
    for _, question in evaluate.read_analogies(questions_path)[0]:
        seen.update(dict.fromkeys(question))
    words = list(seen) + [f"filler{i}" for i in range(N_WORDS - len(seen))]
    vectors = np.random.default_rng(0).normal(size=(N_WORDS, DIM)).astype(np.float32)
    emb = Embeddings(words, np.arange(N_WORDS, 0, -1), vectors)
    emb.save(folder / "model")
    return Embeddings.load(folder / "model")


def main() -> None:
    from gensim.models import KeyedVectors

    questions = eval_sets()["analogy"]
    with tempfile.TemporaryDirectory() as tmp:
        emb = make_model(questions, Path(tmp))
        cmd = [sys.executable, "-m", "wordvec", "neighbors", "king", "-m", str(Path(tmp) / "model")]
        subprocess.run(cmd, check=True, capture_output=True)  # first run: OS caches warm
        cli = timed(lambda: subprocess.run(cmd, check=True, capture_output=True))
        first = timed(lambda: Embeddings.load(Path(tmp) / "model").neighbors("king"), 1)
        call = timed(lambda: emb.neighbors("king"))
        parsed, _ = evaluate.read_analogies(questions)
        ours = timed(lambda: evaluate.analogy_accuracy(emb.words, emb.unit_vectors(), parsed),
                     3)
        kv = KeyedVectors(DIM)
        kv.add_vectors(emb.words, np.asarray(emb.vectors))
        theirs = timed(lambda: kv.evaluate_word_analogies(str(questions), restrict_vocab=30_000,
                                                          case_insensitive=True), 1)
    print(f"model {N_WORDS:,} x {DIM}, medians of {REPEATS}")
    print("| measure | seconds |\n|---|---|")
    print(f"| `wordvec neighbors king` (whole command) | {cli:.3f} |")
    print(f"| load + first neighbors call (normalises rows) | {first:.3f} |")
    print(f"| in-process neighbors call | {call:.4f} |")
    print(f"| Google analogies, wordvec.evaluate | {ours:.2f} |")
    print(f"| Google analogies, gensim evaluate_word_analogies | {theirs:.2f} |")
    print(f"| speed-up on analogies | {theirs / ours:.1f}x |")


if __name__ == "__main__":
    main()
