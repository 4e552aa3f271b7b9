"""Which skip-gram update should be the default: word2vec.c's per-pair update or
shared negatives? Quality over corpora, epochs and seeds, both updates side by side.

For each corpus (prefixes of the dev text, default-tokenized, one sentence a line;
``--sizes 0`` stands for the whole text) and each epoch count, trains both updates
with seeds 1..S, alternating, in this process, and scores analogies (30k words),
WS353 and SimLex (the sets in gensim's wheel, scored by ``wordvec.evaluate``). The
shipped sample corpus is scored by its planted pairs instead (partner in the top
10, both directions). Prints, per cell, each update's median (min-max) and the
difference of medians, called a tie when it is within the larger of the two
spreads over seeds. Results go to a JSON file as they come, and a rerun skips the
cells already there, so a long run can be stopped and continued.

Needs the bench extra: ``pip install -e '.[bench]'``.
Usage: ``python scripts/bench_update.py`` (the full grid: 4 prefixes and the sample,
1, 5 and 10 epochs, 3 seeds; about 80 minutes on 2 cores);
``--sizes 1000000 --epochs 1 --seeds 2`` for a quick look.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from _data import DEV, ROOT, SAMPLE
from benchmark import quality, spread, write_tokens

UPDATES = {"per-pair": False, "shared": True}
METRICS = {"text": ("analogy", "ws353", "simlex"), "sample": ("planted",)}


def planted(emb) -> float:
    """Share of the sample's planted pairs whose partner is in the top 10, both ways."""
    pairs = [line.split("\t")[1:] for line in
             (SAMPLE.parent / "pairs.tsv").read_text().splitlines()]
    directed = pairs + [[b, a] for a, b in pairs]
    return sum(b in {w for w, _ in emb.neighbors(a, 10)} for a, b in directed) / len(directed)


def corpora(sizes: list[int], with_sample: bool) -> dict[str, tuple[Path, str]]:
    """name -> (token file, tokenizer); writes each prefix once under bench-out/."""
    found = {}
    for n in sizes:
        path = ROOT / "bench-out" / f"tokens-{n or 'all'}.txt"
        if not path.exists():
            path.parent.mkdir(exist_ok=True)
            print(f"writing {path}", flush=True)
            write_tokens(DEV, n or 10**12, path)
        found[f"dev {n / 1e6:g}M" if n else "dev (all)"] = (path, "whitespace")
    if with_sample:
        found["sample"] = (SAMPLE, "default")
    return found


def train_one(path: Path, tokenizer: str, epochs: int, seed: int, shared: bool,
              threads: int, is_sample: bool) -> dict:
    import wordvec

    config = wordvec.TrainConfig(epochs=epochs, seed=seed, threads=threads,
                                 tokenizer=tokenizer, shared_negatives=shared)
    emb = wordvec.train(path, config)
    scores = {"planted": planted(emb)} if is_sample else quality(emb.words,
                                                                emb.unit_vectors())
    return {**scores, "train_seconds": emb.stats["train_seconds"]}


def cell_report(name: str, epochs: int, cell: dict, metrics) -> list[str]:
    """Markdown rows for one corpus x epochs cell: per metric, both updates and the verdict."""
    rows = []
    for m in metrics:
        got = {u: [r[m] for r in cell[u]] for u in UPDATES}
        med = {u: statistics.median(v) for u, v in got.items()}
        width = max(max(v) - min(v) for v in got.values())  # the larger spread over seeds
        diff = med["shared"] - med["per-pair"]
        verdict = "tie" if abs(diff) <= width else ("shared better" if diff > 0
                                                     else "shared WORSE")
        shown = [spread(got[u], "{:.4f}") for u in UPDATES]
        rows.append(f"| {name} | {epochs} | {m} | " + " | ".join(shown)
                    + f" | {diff:+.4f} | {width:.4f} | {verdict} |")
    speed = [statistics.median(r["train_seconds"] for r in cell[u]) for u in UPDATES]
    rows.append(f"| {name} | {epochs} | train s | {speed[0]:.1f} | {speed[1]:.1f} | "
                f"{speed[0] / speed[1]:.2f}x | | |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+",
                        default=[1_000_000, 5_000_000, 20_000_000, 0])
    parser.add_argument("--epochs", type=int, nargs="+", default=[1, 5, 10])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-sample", action="store_true")
    parser.add_argument("--json", type=Path, default=ROOT / "bench-out" / "update.json")
    args = parser.parse_args()
    done = json.loads(args.json.read_text()) if args.json.exists() else {}
    found = corpora(args.sizes, not args.no_sample)
    for epochs in args.epochs:
        for name, (path, tokenizer) in found.items():
            key = f"{name}|{epochs}"
            cell = done.setdefault(key, {u: [] for u in UPDATES})
            for seed in range(len(cell["shared"]) + 1, args.seeds + 1):
                for update in (UPDATES if seed % 2 else reversed(UPDATES)):  # alternate
                    start = time.perf_counter()
                    cell[update].append(train_one(path, tokenizer, epochs, seed,
                                                  UPDATES[update], args.threads,
                                                  name == "sample"))
                    print(f"{key} seed {seed} {update}: {cell[update][-1]} "
                          f"({time.perf_counter() - start:.0f} s)", flush=True)
                args.json.write_text(json.dumps(done, indent=1))
    print("\n| corpus | epochs | metric | per-pair (word2vec.c) | shared negatives | "
          "shared - per-pair | spread | verdict |\n|---|---|---|---|---|---|---|---|")
    for key, cell in done.items():
        name, epochs = key.rsplit("|", 1)
        if min(len(v) for v in cell.values()):
            print("\n".join(cell_report(name, int(epochs), cell,
                                        METRICS["sample" if name == "sample" else "text"])))


if __name__ == "__main__":
    main()
