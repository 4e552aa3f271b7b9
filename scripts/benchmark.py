"""Side-by-side benchmark: wordvec against gensim on the same tokens, cores and settings.

Writes the first N tokens of the corpus once (wordvec's default tokenizer, one
sentence a line); wordvec at its default settings (its default tokenizer too, so
it does the work a user's run does), gensim ``corpus_file`` and gensim
``LineSentence`` then each read that file, in fresh processes, R times, in an
order that rotates by one each repeat; ``wordvec-per-pair`` is wordvec with
``--no-shared-negatives`` (word2vec.c's update, the update gensim uses too).

The headline comes first: end-to-end seconds (text file to saved model, in the
process), per tool, and each wordvec tool against the *better* of gensim's two
modes in that repeat. Then the details, medians with (min-max) over repeats:
training seconds and training words/s (raw tokens x epochs / training seconds;
wordvec trains from ids it encoded while counting, gensim re-reads the text every
epoch), vocabulary seconds, process wall seconds, peak RSS, Numba compile seconds
(first run with an empty cache, then warm), and quality on the evaluation sets in
gensim's wheel (analogies restricted to 30,000 words, WS353, SimLex-999), all
scored by wordvec.evaluate. Repeat r uses seed r + 1 for every tool, so the
quality spread is the spread over seeds: a difference within the larger of the
two spreads is marked a tie. Speed ratios are medians of per-repeat ratios.

``--tools wordvec-cbow wordvec-cbow-w2v gensim-cbow-file gensim-cbow-iter`` compares
CBOW: wordvec's corrected update at its default rate and word2vec.c's update at
0.05, against gensim's ``Word2Vec(sg=0)`` in both modes at 0.05.

``--tools wordvec-subwords gensim-fasttext fasttext`` compares subword models
(minn 3, maxn 6, 2M buckets): gensim's FastText (``corpus_file``) and fastText's
C++ trainer through its Python binding (``fasttext-numpy2``, in the bench extra),
which counts and trains in one call and writes its ``.bin``.

Needs the bench extra: ``pip install -e '.[bench]'``.
Usage: ``python scripts/benchmark.py --tokens 20000000 --epochs 1 --threads 2``
Time: about (R x 3) training runs; 20M tokens x 1 epoch on 2 cores is ~10 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _data import ROOT, default_corpus, eval_sets

TOOLS = ("wordvec", "gensim-file", "gensim-iter", "wordvec-per-pair", "wordvec-subwords",
         "gensim-fasttext", "fasttext", "wordvec-cbow", "wordvec-cbow-w2v", "gensim-cbow-file",
         "gensim-cbow-iter")
WORD_TOOLS = TOOLS[:4]  # the default; the subword tools: --tools wordvec-subwords ...
SUBWORDS = dict(minn=3, maxn=6, buckets=2_000_000)
SETTINGS = dict(dim=100, window=5, negative=5, sample=1e-3, min_count=5, min_alpha=0.0001)
# Starting learning rates: skip-gram 0.025 everywhere (word2vec.c's); CBOW 0.05
# (word2vec.c's CBOW default; gensim's CBOW scored higher at 0.05 than at its own
# 0.025 on 5M tokens), and wordvec's corrected CBOW at its default (None).
ALPHA = {"wordvec-cbow": None, "wordvec-cbow-w2v": 0.05, "gensim-cbow-file": 0.05,
         "gensim-cbow-iter": 0.05}
WORDVEC_EXTRA = {"wordvec-per-pair": dict(shared_negatives=False),
                 "wordvec-subwords": dict(subwords=True, **SUBWORDS),
                 "wordvec-cbow": dict(model="cbow"),
                 "wordvec-cbow-w2v": dict(model="cbow", cbow_update="word2vec")}


def write_tokens(corpus: Path, n_tokens: int, out: Path) -> int:
    """Write the first ``n_tokens`` default-tokenized tokens, one sentence a line."""
    from wordvec.corpus import iter_sentences

    written = 0
    with open(out, "w", encoding="utf-8") as f:
        for tokens in iter_sentences([corpus]):
            tokens = tokens[: n_tokens - written]
            f.write(" ".join(tokens) + "\n")
            written += len(tokens)
            if written >= n_tokens:
                break
    return written


def compile_corpus(tokens: Path, out: Path) -> Path:
    """A prefix of ``tokens`` to compile (and cache) the kernels on before the timed
    runs. Compile time does not depend on size, but input under 8 MB is counted
    without the counting kernels (``parallel_count.RANGE_BYTES``), so the prefix is
    2M tokens (12 MB): the counting kernels compile here too, not in a timed run."""
    write_tokens(tokens, 2_000_000, out)
    return out


def quality(words, unit) -> dict:
    from wordvec import evaluate

    sets = eval_sets()
    questions, _ = evaluate.read_analogies(sets["analogy"])
    ws353, _ = evaluate.read_pairs(sets["ws353"])
    simlex, _ = evaluate.read_pairs(sets["simlex"])
    scored = evaluate.analogy_accuracy(words, unit, questions)
    syntax = [v for k, v in scored["sections"].items() if k.startswith("gram")]
    return {"analogy": scored["accuracy"],
            "syntactic": sum(v["correct"] for v in syntax)
            / max(sum(v["total"] for v in syntax), 1),
            "ws353": evaluate.pair_correlation(words, unit, ws353)["spearman"],
            "simlex": evaluate.pair_correlation(words, unit, simlex)["spearman"]}


def peak_rss_mb() -> float:
    """Peak resident set of this process so far, measured before the evaluation."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> float:
    """Measure the peak resident set afresh from now (Linux ``clear_refs``), for a
    peak of the work that follows rather than of building its input; returns the
    resident set now, MB. ``peak_rss_since_reset`` reads the peak."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_mb("VmRSS")


def peak_rss_since_reset() -> float:
    """Peak resident set, MB, since ``reset_peak_rss``."""
    return _status_mb("VmHWM")


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field)) / 1024


def child_wordvec(path: Path, out: Path, threads: int, epochs: int, tool: str,
                  seed: int) -> dict:
    import wordvec

    start = time.perf_counter()
    config = wordvec.TrainConfig(**SETTINGS, alpha=ALPHA.get(tool, 0.025), epochs=epochs,
                                 threads=threads, seed=seed, **WORDVEC_EXTRA.get(tool, {}))
    emb = wordvec.train(path, config)
    emb.save(out)
    s = emb.stats
    return {"train": s["train_seconds"], "vocab": s["vocab_seconds"],
            "compile": s["compile_seconds"], "e2e": time.perf_counter() - start,
            "rss_mb": peak_rss_mb(), "words": emb.words, "unit": emb.unit_vectors}


def child_gensim(path: Path, out: Path, threads: int, epochs: int, tool: str,
                 seed: int) -> dict:
    from gensim.models import FastText, Word2Vec
    from gensim.models.word2vec import LineSentence

    start = time.perf_counter()
    s = SETTINGS
    kind, extra = (FastText, dict(min_n=SUBWORDS["minn"], max_n=SUBWORDS["maxn"],
                                  bucket=SUBWORDS["buckets"])) \
        if tool == "gensim-fasttext" else (Word2Vec, {})
    model = kind(sg=0 if "cbow" in tool else 1, vector_size=s["dim"], window=s["window"],
                 negative=s["negative"], sample=s["sample"], min_count=s["min_count"],
                 alpha=ALPHA.get(tool, 0.025),
                 min_alpha=s["min_alpha"], workers=threads, epochs=epochs, seed=seed, **extra)
    if tool.endswith("-iter"):
        source = {"corpus_iterable": LineSentence(str(path))}
    else:
        source = {"corpus_file": str(path)}
    model.build_vocab(**source)
    vocab_done = time.perf_counter()
    model.train(**source, total_examples=model.corpus_count,
                total_words=model.corpus_total_words, epochs=epochs)
    trained = time.perf_counter()
    model.wv.save(str(out))
    return {"train": trained - vocab_done, "vocab": vocab_done - start, "compile": 0.0,
            "e2e": time.perf_counter() - start, "rss_mb": peak_rss_mb(),
            "words": model.wv.index_to_key, "unit": model.wv.get_normed_vectors}


def child_fasttext(path: Path, out: Path, threads: int, epochs: int) -> dict:
    """fastText's own C++ trainer through its binding (``fasttext-numpy2``); it counts
    and trains in one call, so its vocabulary time is inside its training time."""
    import fasttext
    import numpy as np

    from wordvec.query import unit_rows

    start = time.perf_counter()
    s = SETTINGS
    model = fasttext.train_unsupervised(
        str(path), model="skipgram", dim=s["dim"], ws=s["window"], neg=s["negative"],
        t=s["sample"], minCount=s["min_count"], lr=0.025, epoch=epochs, thread=threads,
        minn=SUBWORDS["minn"], maxn=SUBWORDS["maxn"], bucket=SUBWORDS["buckets"],
        verbose=0)  # the binding takes no seed: repeats differ by thread timing only
    trained = time.perf_counter()
    model.save_model(str(out) + ".bin")
    e2e = time.perf_counter() - start
    words = [w for w in model.words if w != "</s>"]
    vectors = np.array([model.get_word_vector(w) for w in words], dtype=np.float32)
    return {"train": trained - start, "vocab": 0.0, "compile": 0.0, "e2e": e2e,
            "rss_mb": peak_rss_mb(), "words": words, "unit": lambda: unit_rows(vectors)}


def child(tool: str, path: Path, threads: int, epochs: int, seed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "model"
        if tool.startswith("wordvec"):
            result = child_wordvec(path, out, threads, epochs, tool, seed)
        elif tool == "fasttext":
            result = child_fasttext(path, out, threads, epochs)
        else:
            result = child_gensim(path, out, threads, epochs, tool, seed)
        result.update(quality(result.pop("words"), result.pop("unit")()))
    print(json.dumps(result))


def run_child(tool: str, path: Path, args, env: dict, seed: int = 1) -> dict:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--child", tool, "--corpus", str(path),
                           "--threads", str(args.threads), "--epochs", str(args.epochs),
                           "--seed", str(seed)],
                          capture_output=True, text=True, env=env)
    if proc.returncode:
        sys.exit(f"{tool} failed:\n{proc.stderr}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - start
    return result


def median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def ratio(a: list[dict], b: list[dict], key: str, higher_better: bool) -> float:
    """Median over repeats of the per-repeat ratio (each pair measured back to back)."""
    pairs = [(x[key], y[key]) for x, y in zip(a, b)]
    return statistics.median((x / y) if higher_better else (y / x) for x, y in pairs)


ROWS = [("training seconds", "train", False),
        ("training words/s (raw tokens; wordvec from ids, gensim re-reading text)",
         "words_per_s", True),
        ("vocabulary seconds", "vocab", False), ("end to end seconds", "e2e", False),
        ("process wall seconds", "wall", False), ("peak RSS MB", "rss_mb", False),
        ("analogy accuracy (30k)", "analogy", True),
        ("syntactic analogies (30k)", "syntactic", True), ("WS353 Spearman", "ws353", True),
        ("SimLex Spearman", "simlex", True)]
NAMES = {"wordvec": "wordvec", "wordvec-per-pair": "wordvec --no-shared-negatives",
         "gensim-file": "gensim corpus_file", "gensim-iter": "gensim LineSentence",
         "wordvec-subwords": "wordvec --subwords", "gensim-fasttext": "gensim FastText",
         "fasttext": "fastText", "wordvec-cbow": "wordvec CBOW",
         "wordvec-cbow-w2v": "wordvec CBOW --cbow-update word2vec",
         "gensim-cbow-file": "gensim CBOW corpus_file",
         "gensim-cbow-iter": "gensim CBOW LineSentence"}
QUALITY = ("analogy", "syntactic", "ws353", "simlex")


def spread(values: list[float], fmt: str = "{:,.1f}") -> str:
    """Median (min-max) of ``values``, each written with ``fmt``."""
    return (f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}-"
            f"{fmt.format(max(values))})")


def headline(runs: dict, args) -> dict:
    """Print end-to-end seconds per tool and wordvec against the better gensim mode of
    each repeat (the faster of the gensim tools run); return the ratios."""
    ours = [t for t in args.tools if t.startswith("wordvec")]
    theirs = [t for t in args.tools if not t.startswith("wordvec")]
    print("\n| end to end (text file to saved model) | seconds, median (min-max) |"
          + (" vs the better gensim mode of each repeat |" if theirs else "")
          + "\n|---|---|" + ("---|" if theirs else ""))
    best = [min(runs[t][r]["e2e"] for t in theirs) for r in range(args.repeats)] if theirs \
        else []
    ratios = {}
    for tool in args.tools:
        cell = spread([r["e2e"] for r in runs[tool]])
        if tool in ours and theirs:
            ratios[tool] = [b / r["e2e"] for b, r in zip(best, runs[tool])]
            cell += " | " + spread(ratios[tool], "{:.2f}x")
        elif theirs:
            cell += " |"
        print(f"| {NAMES[tool]} | {cell} |")
    if theirs:
        wins = {t: sum(min(runs[u][r]["e2e"] for u in theirs) == runs[t][r]["e2e"]
                       for r in range(args.repeats)) for t in theirs}
        print("\nBetter gensim mode, repeats won: "
              + ", ".join(f"{NAMES[t]} {n}" for t, n in wins.items()))
    return ratios


def report(runs: dict, args, n_tokens: int, cold: dict) -> dict:
    """Print the headline, then the markdown table for the tools run; return the
    medians and ratios."""
    for tool_runs in runs.values():
        for r in tool_runs:
            r["words_per_s"] = n_tokens * args.epochs / r["train"]
    print(f"\n{n_tokens:,} tokens, {args.epochs} epoch(s), {args.threads} thread(s), "
          f"{args.repeats} repeat(s), seeds 1-{args.repeats}.")
    summary = {"headline": headline(runs, args)}
    ours = [t for t in args.tools if t.startswith("wordvec")]
    theirs = [t for t in args.tools if not t.startswith("wordvec")]
    pairs = [f"{NAMES[o]} vs {NAMES[t]}" for o in ours for t in theirs]
    print("\nDetails. Speed ratios > 1: wordvec faster or smaller; quality: the difference, "
          "a tie when within the larger spread over seeds.\n")
    columns = [NAMES[t] for t in ours + theirs] + pairs
    print("| metric | " + " | ".join(columns) + " |\n|---" + "|---" * len(columns) + "|")
    for label, key, higher in ROWS:
        got = {t: [r[key] for r in runs[t]] for t in ours + theirs}
        values = {t: statistics.median(v) for t, v in got.items()}
        width = {t: max(v) - min(v) for t, v in got.items()}  # the spread over seeds
        is_quality = key in QUALITY
        compared = {(o, t): (values[o] - values[t]) if is_quality
                    else ratio(runs[o], runs[t], key, higher) for o in ours for t in theirs}
        fmt = "{:.4f}" if is_quality else "{:,.0f}" if key == "words_per_s" else "{:,.1f}"
        shown = [(f"{v:+.4f}" + (" tie" if abs(v) <= max(width[o], width[t]) else ""))
                 if is_quality else f"{v:.2f}x" for (o, t), v in compared.items()]
        cells = [spread(got[t], fmt) for t in ours + theirs]
        print(f"| {label} | " + " | ".join(cells) + " | " + " | ".join(shown) + " |")
        summary[key] = {"values": values,
                        "compared": {f"{o} vs {t}": v for (o, t), v in compared.items()}}
    if ours:
        warm = {t: median(runs[t], "compile") for t in ours}
        print("| Numba compile seconds, empty cache / warm | "
              + " | ".join(f"{cold[t]:.2f} / {warm[t]:.2f}" for t in ours)
              + " |" * (len(columns) - len(ours) + 1))
        summary["compile"] = {"cold": cold, "warm": warm}
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--tools", nargs="+", choices=TOOLS, default=list(WORD_TOOLS),
                        help="Which trainers to run (default: the four word-only ones).")
    parser.add_argument("--tokens", type=int, default=20_000_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path, default=ROOT / "bench-out" / "benchmark.json")
    parser.add_argument("--child", choices=TOOLS, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.corpus, args.threads, args.epochs, args.seed)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    tokens = args.json.parent / f"tokens-{args.tokens}.txt"
    if not tokens.exists():
        n = write_tokens(args.corpus, args.tokens, tokens)
    else:
        n = sum(len(line.split()) for line in open(tokens, encoding="utf-8"))
    print(f"corpus {args.corpus} -> {tokens} ({n:,} tokens)", flush=True)
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    small = compile_corpus(tokens, args.json.parent / "tokens-compile.txt")
    with tempfile.TemporaryDirectory() as cache:
        env["NUMBA_CACHE_DIR"] = cache  # empty: the first run compiles everything
        ours = [t for t in args.tools if t.startswith("wordvec")]
        # each kind of wordvec model compiles its own kernel once, outside the timed runs
        cold = {t: run_child(t, small, args, env)["compile"] for t in ours}
        runs = {t: [] for t in args.tools}
        for r in range(args.repeats):
            order = args.tools[r % len(args.tools):] + args.tools[:r % len(args.tools)]
            for tool in order:  # rotating, so no tool always runs first
                runs[tool].append(run_child(tool, tokens, args, env, seed=r + 1))
                print(f"repeat {r + 1} {tool}: train {runs[tool][-1]['train']:.1f} s", flush=True)
    summary = report(runs, args, n, cold)
    args.json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                                     "tokens": n, "runs": runs, "summary": summary}, indent=1))
    print(f"\nJSON: {args.json}")


if __name__ == "__main__":
    main()
