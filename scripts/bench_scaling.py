"""Where 1 -> 2 thread scaling goes: the machine, or threads sharing the weights.

Three runs on the same token file, alternating, median of R:

1. one process, 1 thread (the baseline);
2. two processes at once, 1 thread each, each training its own model: nothing is
   shared but the cores, caches and memory bus, so their summed words/s is what
   the machine gives two independent copies of the kernel;
3. one process, 2 threads on one pair of matrices (what ``--threads 2`` does: Hogwild,
   with private copies of the hottest output rows; see wordvec/_kernels.py).

(2)/(1) is the machine's ceiling for this kernel; (3)/(2) is what sharing rows
between threads costs on top. Usage:
``python scripts/bench_scaling.py TOKENS.txt [--repeats 3] [--no-shared-negatives]``,
where TOKENS.txt is a whitespace-tokenized file such as the one
``scripts/benchmark.py`` writes. About 10 training runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

CHILD = """
import json, sys
from wordvec import TrainConfig
from wordvec.trainer import train
config = TrainConfig(epochs=1, threads=int(sys.argv[2]), tokenizer="whitespace",
                     shared_negatives=sys.argv[3] == "1")
model = train(sys.argv[1], config, verbose=False)
print(json.dumps(model.stats["words_per_second"]))
"""


def start(path: str, threads: int, shared: bool) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", CHILD, path, str(threads), str(int(shared))],
                            stdout=subprocess.PIPE, text=True)


def words_per_second(procs: list[subprocess.Popen]) -> float:
    """Summed words/s of processes started together."""
    total = 0.0
    for proc in procs:
        out, _ = proc.communicate()
        if proc.returncode:
            sys.exit(f"a training run failed (exit {proc.returncode})")
        total += json.loads(out)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tokens")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-shared-negatives", dest="shared_negatives",
                        action="store_false", help="word2vec.c's per-pair update")
    args = parser.parse_args()
    runs = {"1 process x 1 thread": lambda: [start(args.tokens, 1, args.shared_negatives)],
            "2 processes x 1 thread": lambda: [start(args.tokens, 1, args.shared_negatives)
                                               for _ in range(2)],
            "1 process x 2 threads": lambda: [start(args.tokens, 2, args.shared_negatives)]}
    speeds: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.repeats):
        for name, launch in runs.items():
            speeds[name].append(words_per_second(launch()))
    base = statistics.median(speeds["1 process x 1 thread"])
    print("| run | words/s (summed) | vs 1 thread |\n|---|---|---|")
    for name, values in speeds.items():
        print(f"| {name} | {statistics.median(values):,.0f} | "
              f"{statistics.median(values) / base:.2f}x |")


if __name__ == "__main__":
    main()
