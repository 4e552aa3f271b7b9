"""Several MPI ranks against one process on the same cores: speed, quality, traffic.

Writes the first N tokens of the corpus once (as scripts/benchmark.py does), then
trains on that file, in fresh processes, R times each, in an order that rotates by
one each repeat: one process with 2 threads, ``mpiexec -n 2`` with 1 thread per
rank, and ``mpiexec -n 4`` with 1 thread per rank (4 ranks on 2 cores:
oversubscribed, so slower, but its quality says whether more ranks lose accuracy).
Repeat r uses seed r + 1 everywhere, so quality spreads are spreads over seeds and
a difference inside the larger spread is a tie.

Reported: end-to-end seconds (text file to saved model, measured in rank 0), the
per-repeat ratio to one process, analogy / WS353 / SimLex, and what the ranks
sent: the payload each rank put into the averaging allreduces per second of
training, the seconds its sync thread waited for them (it runs beside training),
and the seconds spent at epoch ends (waiting for the slowest rank, then averaging
every row). ``--project`` then prints the README's projection to more ranks.

Needs the bench and mpi extras: ``pip install -e '.[bench,mpi]'``.
Usage: ``python scripts/bench_mpi.py --tokens 20000000 --epochs 5 --repeats 3``
Time: about 9 runs of the one-process time (20M tokens x 5 epochs: ~15 minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _data import ROOT, default_corpus
from benchmark import SETTINGS, compile_corpus, quality, spread, write_tokens

SETUPS = {"1 process x 2 threads": (1, 2), "2 ranks x 1 thread": (2, 1),
          "4 ranks x 1 thread": (4, 1)}
QUALITY = ("analogy", "ws353", "simlex")
LINK_BYTES_PER_S = 10e9 / 8  # a 10 Gb/s network
LATENCY_S = 5e-6  # one message between two nodes


def child(path: Path, threads: int, epochs: int, seed: int, interval: float) -> None:
    """Train (as one of the ranks when launched by mpiexec); rank 0 saves, scores and
    prints the figures as JSON."""
    import wordvec

    start = time.perf_counter()
    config = wordvec.TrainConfig(**SETTINGS, alpha=0.025, epochs=epochs, threads=threads,
                                 seed=seed, sync_interval=interval)
    emb = wordvec.train(path, config)
    rank = int(os.environ.get("PMI_RANK", os.environ.get("OMPI_COMM_WORLD_RANK", "0")))
    if rank:
        return
    with tempfile.TemporaryDirectory() as tmp:
        emb.save(Path(tmp) / "model")
        seconds = time.perf_counter() - start
    s = emb.stats
    result = {"e2e": seconds, "train": s["train_seconds"], "vocab": s["vocab_seconds"],
              "words_per_s": s["words_per_second"], **quality(emb.words, emb.unit_vectors()),
              **{k: s[k] for k in ("ranks", "sync_ticks", "sync_seconds", "sync_megabytes",
                                   "epoch_end_sync_seconds") if k in s}}
    print(json.dumps(result))


def run(setup: str, path: Path, args, seed: int, env: dict) -> dict:
    ranks, threads = SETUPS[setup]
    command = [sys.executable, __file__, "--child", "--corpus", str(path), "--threads",
               str(threads), "--epochs", str(args.epochs), "--seed", str(seed),
               "--sync-interval", str(args.sync_interval)]
    if ranks > 1:
        mpiexec = shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or "mpiexec"
        command = [mpiexec, "-n", str(ranks), *command]
    proc = subprocess.run(command, capture_output=True, text=True, env=env)
    if proc.returncode:
        sys.exit(f"{setup} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def report(runs: dict, n_tokens: int, args) -> None:
    print(f"\n{n_tokens:,} tokens, {args.epochs} epochs, {args.repeats} repeats, seeds "
          f"1-{args.repeats}; medians (min-max).\n")
    base = runs["1 process x 2 threads"]
    print("| setup | end to end s | vs 1 process | train s | " +
          " | ".join(QUALITY) + " |\n|---|---|---|---|" + "---|" * len(QUALITY))
    for setup, got in runs.items():
        cells = [spread([r["e2e"] for r in got]),
                 spread([b["e2e"] / r["e2e"] for b, r in zip(base, got)], "{:.3f}x"),
                 spread([r["train"] for r in got])]
        for key in QUALITY:
            values = [r[key] for r in got]
            cell = spread(values, "{:.4f}")
            if got is not base:
                diff = statistics.median(values) - statistics.median(r[key] for r in base)
                width = max(max(values) - min(values), max(r[key] for r in base)
                            - min(r[key] for r in base))
                cell += f" {diff:+.4f}" + (" tie" if abs(diff) <= width else "")
            cells.append(cell)
        print(f"| {setup} | " + " | ".join(cells) + " |")
    print("\n| setup | averaged per rank, MB/s of training | sync thread waiting, % of "
          "training | epoch-end syncs, s | ticks |\n|---|---|---|---|---|")
    for setup, got in runs.items():
        if got[0].get("ranks"):
            print(f"| {setup} | "
                  + spread([r["sync_megabytes"] / r["train"] for r in got], "{:.2f}") + " | "
                  + spread([100 * r["sync_seconds"] / r["train"] for r in got], "{:.1f}")
                  + " | " + spread([r["epoch_end_sync_seconds"] for r in got], "{:.2f}")
                  + " | " + spread([r["sync_ticks"] for r in got], "{:.0f}") + " |")


def rows_per_tick(n_rows: int, ticks: int = 1 << 16) -> float:
    """The mean number of rows averaged per tick over a long run (``prefix_rows``)."""
    from wordvec.distributed import prefix_rows

    return statistics.fmean(prefix_rows(t, n_rows) for t in range(1, ticks + 1))


def project(words_per_s: float, interval: float) -> None:
    """The README's projection: ring allreduce on a 10 Gb/s network, each rank one node
    training at ``words_per_s``, rows averaged as wordvec schedules them."""
    print(f"\nProjection: each rank trains {words_per_s:,.0f} words/s; a ring allreduce "
          f"of B bytes over N ranks sends 2 B (N-1)/N per rank, at "
          f"{LINK_BYTES_PER_S * 8 / 1e9:.0f} Gb/s with {LATENCY_S * 1e6:.0f} us per step "
          f"(2 (N-1) steps); ticks every {interval} s; an epoch of 1B tokens.\n")
    print("| ranks | vocabulary | dim | sent per rank, MB/s | link busy, % of each tick | "
          "epoch-end merge, s | words/s, all ranks |\n|---|---|---|---|---|---|---|")
    for ranks in (8, 32, 128):
        for vocab in (100_000, 1_000_000, 10_000_000):
            per_tick = rows_per_tick(vocab)
            for dim in (100, 300):
                factor = 2 * (ranks - 1) / ranks
                tick_bytes = 2 * per_tick * dim * 4  # w_in and w_out
                steps = 2 * (ranks - 1) * (3 + tick_bytes / (1 << 24))  # control + blocks
                tick_s = factor * tick_bytes / LINK_BYTES_PER_S + steps * LATENCY_S
                full_s = factor * 2 * vocab * dim * 4 / LINK_BYTES_PER_S
                epoch_s = 1e9 / (ranks * words_per_s)
                busy = tick_s / interval
                rate = 1e9 / (epoch_s + full_s) if busy < 1 else float("nan")
                print(f"| {ranks} | {vocab:,} | {dim} | {factor * tick_bytes / interval / 1e6:,.1f}"
                      f" | {100 * busy:.1f} | {full_s:.2f} | {rate / 1e6:,.1f}M |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--tokens", type=int, default=20_000_000)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--setups", nargs="+", choices=SETUPS, default=list(SETUPS))
    parser.add_argument("--sync-interval", type=float, default=0.1)
    parser.add_argument("--project", type=float, metavar="WORDS_PER_S",
                        help="Only print the projection for ranks training this fast.")
    parser.add_argument("--json", type=Path, default=ROOT / "bench-out" / "bench_mpi.json")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.corpus, args.threads, args.epochs, args.seed, args.sync_interval)
    if args.project:
        return project(args.project, args.sync_interval)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    tokens = args.json.parent / f"tokens-{args.tokens}.txt"
    if not tokens.exists():
        write_tokens(args.corpus, args.tokens, tokens)
    n = sum(len(line.split()) for line in open(tokens, encoding="utf-8"))
    print(f"corpus {args.corpus} -> {tokens} ({n:,} tokens)", flush=True)
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    small = compile_corpus(tokens, args.json.parent / "tokens-compile.txt")
    once = argparse.Namespace(**{**vars(args), "epochs": 1})
    run(args.setups[0], small, once, 1, env)  # compile (and cache) the kernels first
    runs = {s: [] for s in args.setups}
    for r in range(args.repeats):
        order = args.setups[r % len(args.setups):] + args.setups[:r % len(args.setups)]
        for setup in order:
            runs[setup].append(run(setup, tokens, args, r + 1, env))
            got = runs[setup][-1]
            print(f"repeat {r + 1} {setup}: {got['e2e']:.1f} s, "
                  + ", ".join(f"{k} {got[k]:.4f}" for k in QUALITY), flush=True)
    args.json.write_text(json.dumps(runs, indent=1))
    report(runs, n, args)
    two = runs.get("2 ranks x 1 thread")
    if two:
        project(statistics.median(r["words_per_s"] / r["ranks"] for r in two),
                args.sync_interval)


if __name__ == "__main__":
    main()
