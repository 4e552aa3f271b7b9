"""Open a large fastText .bin and answer one unseen-word query: wordvec against gensim.

Each repeat runs, in fresh processes and in rotating order: wordvec (``wordvec.load``
then ``vector`` of a word the model has never seen), gensim (``load_facebook_model``
then ``wv[word]``) and fastText itself (``fasttext.load_model`` then
``get_word_vector``), and reports the wall time from the start of the load to the
answer, the peak RSS, and that the three vectors agree. ``--neighbors`` adds
wordvec's ``neighbors`` of the unseen word, which composes every vocabulary vector.

``--make`` first trains the model with fastText on the whole dev corpus (min count
1, dim 300, 2M buckets, 1 epoch, 2 threads: a file of about 3 GB, tens of minutes).

Needs the bench extra: ``pip install -e '.[bench]'``.
Usage: ``python scripts/bench_fasttext_load.py --make --bin bench-out/dev300.bin``
Time: one gensim load of a 3 GB model takes minutes; the others take seconds.
"""

from __future__ import annotations

import argparse
import json
import lzma
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _data import DEV, ROOT

TOOLS = ("wordvec", "gensim", "fasttext")
WORD = "unfriendlinessez"  # not in the dev text; made of n-grams it has


def make_model(path: Path, text: Path) -> None:
    import fasttext

    if not text.exists():  # fastText reads plain text
        with lzma.open(DEV, "rb") as src, open(text, "wb") as dst:
            while block := src.read(1 << 24):
                dst.write(block)
    model = fasttext.train_unsupervised(str(text), model="skipgram", dim=300, minCount=1,
                                        bucket=2_000_000, epoch=1, thread=2, verbose=0)
    model.save_model(str(path))


def child(tool: str, path: Path, neighbors: bool) -> dict:
    start = time.perf_counter()
    if tool == "wordvec":
        import wordvec

        emb = wordvec.load(path)
        vector = emb.vector(WORD)
        found = len(emb)
    elif tool == "gensim":
        from gensim.models.fasttext import load_facebook_model

        model = load_facebook_model(str(path))
        vector, found = model.wv[WORD], len(model.wv)
    else:
        import fasttext

        model = fasttext.load_model(str(path))
        vector, found = model.get_word_vector(WORD), len(model.words)
    out = {"seconds": time.perf_counter() - start, "words": found,
           "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
           "vector": [float(x) for x in vector[:5]]}
    if neighbors and tool == "wordvec":
        start = time.perf_counter()
        out["neighbors"] = emb.neighbors(WORD, 5)
        out["neighbors_seconds"] = time.perf_counter() - start
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", type=Path, default=ROOT / "bench-out" / "dev300.bin")
    parser.add_argument("--make", action="store_true", help="Train the model first.")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS))
    parser.add_argument("--neighbors", action="store_true")
    parser.add_argument("--child", choices=TOOLS + ("make",), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "make":
        return make_model(args.bin, args.bin.with_suffix(".txt"))
    if args.child:
        print(json.dumps(child(args.child, args.bin, args.neighbors)))
        return
    if args.make:  # in a child: Linux keeps a process's peak RSS across fork and exec,
        # so a parent that held the model would inflate every child's reading
        args.bin.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, __file__, "--child", "make", "--bin", str(args.bin)],
                       check=True)
    print(f"{args.bin}: {args.bin.stat().st_size / 2**30:.2f} GiB; query word {WORD!r}")
    runs = {t: [] for t in args.tools}
    for r in range(args.repeats):
        for tool in args.tools[r % len(args.tools):] + args.tools[:r % len(args.tools)]:
            cmd = [sys.executable, __file__, "--child", tool, "--bin", str(args.bin)]
            proc = subprocess.run(cmd + (["--neighbors"] if args.neighbors else []),
                                  capture_output=True, text=True)
            if proc.returncode:
                sys.exit(f"{tool} failed:\n{proc.stderr}")
            runs[tool].append(json.loads(proc.stdout.strip().splitlines()[-1]))
            print(f"repeat {r + 1} {tool}: {runs[tool][-1]['seconds']:.2f} s, "
                  f"{runs[tool][-1]['rss_mb']:,.0f} MB, {runs[tool][-1]['vector'][:3]}",
                  flush=True)
    print("\n| tool | load + unseen-word vector, s (min-max) | peak RSS MB |\n|---|---|---|")
    for tool, got in runs.items():
        secs = [g["seconds"] for g in got]
        print(f"| {tool} | {statistics.median(secs):.2f} ({min(secs):.2f}-{max(secs):.2f}) | "
              f"{statistics.median(g['rss_mb'] for g in got):,.0f} |")
    if "wordvec" in runs and "gensim" in runs:
        ratio = statistics.median(g["seconds"] / w["seconds"]
                                  for w, g in zip(runs["wordvec"], runs["gensim"]))
        print(f"\ngensim / wordvec time: {ratio:.1f}x (median of per-repeat ratios)")
    if args.neighbors:
        done = [w["neighbors_seconds"] for w in runs["wordvec"]]
        print(f"wordvec neighbors of the unseen word (composes every vocabulary vector): "
              f"{statistics.median(done):.2f} s; {runs['wordvec'][0]['neighbors']}")


if __name__ == "__main__":
    main()
