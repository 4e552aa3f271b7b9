"""Phrase detection and joining: ``wordvec phrases`` against gensim's ``Phrases``.

Both read the same token file (the first N tokens of the corpus, wordvec's default
tokenizer, one sentence a line, split on whitespace by both) and write the joined
text, in fresh processes, in rotating order, R times. gensim 4 runs ``Phrases``
(learning) then ``FrozenPhrases`` over every sentence (joining), with word2phrase's
scoring passed as a custom scorer (gensim's built-in ``default`` scorer multiplies
by the vocabulary size, not the token count) or its own ``npmi``, and the same
minimum count, threshold and connector words. Reports the median (min-max) seconds
from token file to joined file, peak RSS, the speed ratio, and how far the phrase
sets agree (shared phrases over ours, over gensim's, and the Jaccard overlap).

Needs the bench extra: ``pip install -e '.[bench]'``.
Usage: ``python scripts/bench_phrases.py --tokens 20000000``
Time: about R x (gensim's run, minutes at 20M tokens + ours, seconds).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _data import ROOT, default_corpus
from benchmark import spread, write_tokens

TOOLS = ("wordvec", "gensim")


def word2phrase_score(worda_count, wordb_count, bigram_count, len_vocab, min_count,
                      corpus_word_count):
    """word2phrase's score, in gensim's scorer signature (module level: picklable)."""
    return (bigram_count - min_count) / worda_count / wordb_count * corpus_word_count


def child_wordvec(path: Path, out: Path, args) -> set[str]:
    cmd = [sys.executable, "-m", "wordvec", "phrases", str(path), "-o", str(out),
           "--tokenizer", "whitespace", "--passes", "1", "--phrase-min-count",
           str(args.min_count), "--phrase-threshold", str(args.threshold),
           "--phrase-scoring", args.scoring, "--table", str(out) + ".tsv", "-q"]
    if args.connectors:
        cmd += ["--connectors", "en"]
    subprocess.run(cmd, check=True)
    return {line.split("\t")[0] for line in open(str(out) + ".tsv", encoding="utf-8")}


def child_gensim(path: Path, out: Path, args) -> set[str]:
    from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases
    from gensim.models.word2vec import LineSentence

    scoring = word2phrase_score if args.scoring == "word2vec" else "npmi"
    model = Phrases(LineSentence(str(path)), min_count=args.min_count,
                    threshold=args.threshold, scoring=scoring,
                    connector_words=ENGLISH_CONNECTOR_WORDS if args.connectors else frozenset())
    frozen = model.freeze()
    with open(out, "w", encoding="utf-8") as f:
        for sentence in LineSentence(str(path)):
            f.write(" ".join(frozen[sentence]) + "\n")
    return set(frozen.phrasegrams)


def child(tool: str, args) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "phrased.txt"
        start = time.perf_counter()
        found = (child_wordvec if tool == "wordvec" else child_gensim)(args.corpus, out, args)
        seconds = time.perf_counter() - start
        rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    print(json.dumps({"seconds": seconds, "rss_mb": rss, "phrases": sorted(found)}))


def run_child(tool: str, path: Path, args) -> dict:
    cmd = [sys.executable, __file__, "--child", tool, "--corpus", str(path), "--min-count",
           str(args.min_count), "--threshold", str(args.threshold), "--scoring", args.scoring]
    proc = subprocess.run(cmd + (["--connectors"] if args.connectors else []),
                          capture_output=True, text=True,
                          env=dict(os.environ, OMP_NUM_THREADS="1"))
    if proc.returncode:
        sys.exit(f"{tool} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--tokens", type=int, default=20_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--threshold", type=float, default=100.0)
    parser.add_argument("--scoring", choices=("word2vec", "npmi"), default="word2vec")
    parser.add_argument("--connectors", action="store_true", help="English connector words.")
    parser.add_argument("--json", type=Path, default=ROOT / "bench-out" / "phrases.json")
    parser.add_argument("--child", choices=TOOLS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    tokens = args.json.parent / f"tokens-{args.tokens}.txt"
    if not tokens.exists():
        write_tokens(args.corpus, args.tokens, tokens)
    run_child("wordvec", tokens, args)  # compile the kernels once, outside the timing
    runs = {t: [] for t in TOOLS}
    for r in range(args.repeats):
        for tool in TOOLS[r % 2:] + TOOLS[:r % 2]:
            runs[tool].append(run_child(tool, tokens, args))
            print(f"repeat {r + 1} {tool}: {runs[tool][-1]['seconds']:.1f} s", flush=True)
    ours, theirs = set(runs["wordvec"][0]["phrases"]), set(runs["gensim"][0]["phrases"])
    shared = len(ours & theirs)
    ratios = [g["seconds"] / w["seconds"] for w, g in zip(runs["wordvec"], runs["gensim"])]
    print(f"\n{args.tokens:,} tokens, scoring {args.scoring}, threshold {args.threshold}, "
          f"min count {args.min_count}, connectors {'en' if args.connectors else 'none'}, "
          f"median (min-max) of {args.repeats}\n")
    print("| metric | wordvec phrases | gensim Phrases + FrozenPhrases | ratio |\n"
          "|---|---|---|---|")
    print(f"| seconds, token file to joined file | "
          f"{spread([r['seconds'] for r in runs['wordvec']])} | "
          f"{spread([r['seconds'] for r in runs['gensim']])} | {spread(ratios)}x |")
    print(f"| peak RSS MB | {spread([r['rss_mb'] for r in runs['wordvec']])} | "
          f"{spread([r['rss_mb'] for r in runs['gensim']])} | |")
    print(f"| phrases found | {len(ours):,} | {len(theirs):,} | |")
    print(f"| shared / ours, / gensim's, Jaccard | {shared / max(len(ours), 1):.4f} | "
          f"{shared / max(len(theirs), 1):.4f} | {shared / max(len(ours | theirs), 1):.4f} |")
    print(f"\nonly ours (first 10): {sorted(ours - theirs)[:10]}\n"
          f"only gensim's (first 10): {sorted(theirs - ours)[:10]}")
    args.json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                                     "runs": runs}))


if __name__ == "__main__":
    main()
