"""item2vec from Python lists: ``wordvec.train`` against gensim's ``Word2Vec``.

Both get the same Python lists of integer item ids (one list per session, from
``make_sessions.py``'s planted-category data) in a fresh process, and train
skip-gram with a whole-sequence window (wordvec ``window=0``; gensim
``window=1000, shrink_windows=False``: every session is far shorter), 5 negatives,
min count 5, subsampling 1e-3, dim 100, the same epochs and threads. Timed: from
the lists to a saved model (counting, training, saving). Quality: hit rate at 10,
the share of an item's 10 nearest neighbours from its own category, over 5,000
items drawn once from all but the best-sellers (those below min count are skipped).
Runs rotate order and use seed r for repeat r, so the spread covers seeds.
Reports median (min-max) seconds, hit rate, the speed ratio and memory: the peak
resident set while training (the lists included: ``data MB``, the same for both),
what training added to the lists, and of that each tool's fixed cost (imports,
runtime, compiled code), measured as what a 1,000-session run adds; the rest is the
part that grows with the data.

``--curve`` instead trains wordvec alone for each noise exponent (-0.5, 0, 0.5,
0.75, 1) and seed, and prints the hit rate's median (min-max) per exponent: the
curve in the README.

Needs the bench extra: ``pip install -e '.[bench]'``.
Usage: ``python scripts/bench_item2vec.py --sessions 1000000 --items 500000``
       ``python scripts/bench_item2vec.py --curve --sessions 100000 --items 50000``
Time: about 5 minutes a repeat at 1M sessions on 2 cores (gensim most of it); the
curve at 100k sessions, 2 minutes.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
from _data import ROOT
from benchmark import peak_rss_since_reset, reset_peak_rss, spread
from make_sessions import make_sessions

TOOLS = ("wordvec", "gensim")
EXPONENTS = (-0.5, 0.0, 0.5, 0.75, 1.0)
POPULAR = 50  # the best-sellers, left out of the hit rate (make_sessions' default)
QUERIES = 5_000  # items the hit rate asks about, drawn once (a fixed seed)


def train_wordvec(sessions, out: Path, args, seed: int):
    import wordvec

    config = wordvec.TrainConfig(window=0, epochs=args.epochs, threads=args.threads,
                                 seed=seed, **args.extra)
    emb = wordvec.train(sessions, config)
    emb.save(out)
    return emb.words, emb.unit_vectors


def train_gensim(sessions, out: Path, args, seed: int):
    from gensim.models import Word2Vec

    from wordvec.query import unit_rows

    model = Word2Vec(sentences=sessions, vector_size=100, window=1000, shrink_windows=False,
                     sg=1, negative=5, sample=1e-3, min_count=5, epochs=args.epochs,
                     workers=args.threads, seed=seed)
    model.save(str(out))
    vectors = model.wv.vectors
    return model.wv.index_to_key, lambda: unit_rows(vectors)


def sessions_and_scorer(args):
    """The sessions as lists of ids, and a function scoring (words, unit vectors)."""
    from wordvec import group_sequences
    from wordvec.evaluate import label_hit_rate

    session, item, category = make_sessions(args.sessions, args.items, args.categories, seed=0)
    sessions = [s.tolist() for s in group_sequences(session, item)]
    labels = dict(zip(item.tolist(), category.tolist()))
    popular = {i for i, _ in Counter(item.tolist()).most_common(POPULAR)}
    candidates = np.unique(item)
    candidates = candidates[~np.isin(candidates, list(popular))]
    queries = np.random.default_rng(0).choice(candidates, min(QUERIES, len(candidates)),
                                              replace=False).tolist()

    def score(words, unit) -> float:
        return label_hit_rate(words, unit, labels, queries)
    return sessions, score


def curve(args) -> None:
    """Hit rate at 10 per noise exponent, over seeds 1..repeats (wordvec only)."""
    import wordvec

    sessions, score = sessions_and_scorer(args)
    print(f"{args.sessions:,} sessions, {args.items:,} items, whole-sequence window, "
          f"{args.epochs} epochs, seeds 1-{args.repeats}\n\n| ns_exponent | hit rate at 10 |"
          f"\n|---|---|")
    for power in EXPONENTS:
        hits = [score(*_words_unit(wordvec.train(sessions, wordvec.TrainConfig(
            window=0, epochs=args.epochs, threads=args.threads, seed=seed,
            ns_exponent=power, **args.extra)))) for seed in range(1, args.repeats + 1)]
        print(f"| {power} | {spread(hits, '{:.3f}')} |", flush=True)


def _words_unit(emb):
    return emb.words, emb.unit_vectors()


def child(tool: str, args) -> None:
    sessions, score = sessions_and_scorer(args)
    gc.collect()
    data_mb = reset_peak_rss()  # the lists, without the temporaries that made them
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        train = train_wordvec if tool == "wordvec" else train_gensim
        words, unit = train(sessions, Path(tmp) / "model", args, args.seed)
        seconds = time.perf_counter() - start
    rss = peak_rss_since_reset()  # before the scorer's unit vectors
    hit = score(words, unit())
    print(json.dumps({"seconds": seconds, "rss_mb": rss, "data_mb": data_mb, "hit10": hit}))


def run_child(tool: str, args, seed: int) -> dict:
    cmd = [sys.executable, __file__, "--child", tool, "--sessions", str(args.sessions),
           "--items", str(args.items), "--categories", str(args.categories),
           "--epochs", str(args.epochs), "--threads", str(args.threads), "--seed", str(seed),
           "--extra", json.dumps(args.extra)]
    proc = subprocess.run(cmd, capture_output=True, text=True,
                          env=dict(os.environ, OMP_NUM_THREADS="1"))
    if proc.returncode:
        sys.exit(f"{tool} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=500_000,
                        help="Catalogue size; 20 events an item at the default 1M sessions, "
                             "as in the tests' data, so the hit rate is not saturated.")
    parser.add_argument("--categories", type=int, default=2_000)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--extra", type=json.loads, default={},
                        help='More TrainConfig fields for wordvec, as JSON: {"sample": 0}')
    parser.add_argument("--json", type=Path, default=ROOT / "bench-out" / "item2vec.json")
    parser.add_argument("--curve", action="store_true",
                        help="Hit rate per noise exponent (wordvec only).")
    parser.add_argument("--child", choices=TOOLS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args)
    if args.curve:
        return curve(args)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    warm = argparse.Namespace(**{**vars(args), "sessions": 1000, "epochs": 1})
    # compiles wordvec's kernels once, outside the timing; and each tool's fixed cost
    fixed = {t: _added(run_child(t, warm, seed=1)) for t in TOOLS}
    runs = {t: [] for t in TOOLS}
    for r in range(args.repeats):
        for tool in TOOLS[r % 2:] + TOOLS[:r % 2]:
            runs[tool].append(run_child(tool, args, seed=r + 1))
            print(f"repeat {r + 1} {tool}: {runs[tool][-1]['seconds']:.1f} s, hit@10 "
                  f"{runs[tool][-1]['hit10']:.4f}", flush=True)
    ratios = [g["seconds"] / w["seconds"] for w, g in zip(runs["wordvec"], runs["gensim"])]
    print(f"\n{args.sessions:,} sessions, {args.items:,} items in {args.categories:,} "
          f"categories, whole-sequence window, {args.epochs} epochs, "
          f"{args.threads} threads, median (min-max) of {args.repeats} (seeds 1-"
          f"{args.repeats}){', wordvec ' + json.dumps(args.extra) if args.extra else ''}\n")
    print("| metric | wordvec | gensim Word2Vec | gensim / wordvec |\n|---|---|---|---|")
    print(f"| seconds, lists to saved model | "
          f"{spread([r['seconds'] for r in runs['wordvec']])} | "
          f"{spread([r['seconds'] for r in runs['gensim']])} | {spread(ratios, '{:.2f}')}x |")
    for run in (*runs["wordvec"], *runs["gensim"]):
        run["added_mb"] = _added(run)
    for label, key, fmt in (("hit rate at 10", "hit10", "{:.4f}"),
                            ("peak RSS MB, training", "rss_mb", "{:.0f}"),
                            ("of which the lists, MB", "data_mb", "{:.0f}"),
                            ("added by training, MB", "added_mb", "{:.0f}")):
        print(f"| {label} | {spread([r[key] for r in runs['wordvec']], fmt)} | "
              f"{spread([r[key] for r in runs['gensim']], fmt)} | |")
    print(f"| of which fixed (what 1,000 sessions add), MB | {fixed['wordvec']:.0f} | "
          f"{fixed['gensim']:.0f} | |")
    args.json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                                     "runs": runs, "fixed_mb": fixed}))


def _added(run: dict) -> float:
    """What training added to the resident set, MB: its peak less the lists'."""
    return run["rss_mb"] - run["data_mb"]


if __name__ == "__main__":
    main()
