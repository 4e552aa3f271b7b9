"""Pick CBOW's default starting learning rate: quality against --alpha, per update rule.

Trains wordvec CBOW (both ``--cbow-update`` rules) on the first N tokens of the
corpus at each starting rate, for several seeds, and prints the median and
(min-max) over seeds of analogy accuracy (30k words), WS353 and SimLex Spearman,
scored as ``benchmark.py`` scores them. Quality only: no timing.

Needs the bench extra (``pip install -e '.[bench]'``) for the evaluation sets.
Usage: ``python scripts/tune_cbow_alpha.py --tokens 5000000 --epochs 5``
Time: (alphas x 2 x seeds) runs; about 15 s each at 5M tokens x 5 epochs, 2 threads.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from _data import ROOT, default_corpus
from benchmark import quality, write_tokens

import wordvec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--tokens", type=int, default=5_000_000)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--alphas", type=float, nargs="+", default=[0.025, 0.05, 0.075, 0.1])
    parser.add_argument("--updates", nargs="+", default=["corrected", "word2vec"])
    parser.add_argument("--json", type=Path, default=ROOT / "bench-out" / "cbow_alpha.json")
    args = parser.parse_args()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    tokens = args.json.parent / f"tokens-{args.tokens}.txt"
    if not tokens.exists():
        write_tokens(args.corpus, args.tokens, tokens)
    results = []
    for update in args.updates:
        for alpha in args.alphas:
            for seed in range(1, args.seeds + 1):
                config = wordvec.TrainConfig(model="cbow", cbow_update=update, alpha=alpha,
                                             epochs=args.epochs, threads=args.threads,
                                             seed=seed, tokenizer="whitespace")
                emb = wordvec.train(tokens, config)
                results.append({"update": update, "alpha": alpha, "seed": seed,
                                **quality(emb.words, emb.unit_vectors())})
                print(json.dumps(results[-1]), flush=True)
    print(f"\n{args.tokens:,} tokens, {args.epochs} epochs, CBOW, median (min-max) of "
          f"{args.seeds} seeds\n\n| update | alpha | analogy | WS353 | SimLex |\n"
          "|---|---|---|---|---|")
    for update in args.updates:
        for alpha in args.alphas:
            rows = [r for r in results if (r["update"], r["alpha"]) == (update, alpha)]
            cells = [f"{statistics.median(v):.4f} ({min(v):.4f}-{max(v):.4f})"
                     for v in ([r[k] for r in rows] for k in ("analogy", "ws353", "simlex"))]
            print(f"| {update} | {alpha} | " + " | ".join(cells) + " |")
    args.json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                                     "runs": results}, indent=1))


if __name__ == "__main__":
    main()
