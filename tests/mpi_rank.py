"""Run under ``mpiexec -n N`` by test_distributed.py: each rank trains through the
Python API and reports what it holds; rank 0 also saves the model.

Usage: python mpi_rank.py OUT_FOLDER CORPUS [config as JSON]
CORPUS ``ids``: each rank trains on its share of ``id_sequences()`` (Python lists).
Writes OUT_FOLDER/rank<r>.json (words, counts, stats) and rank<r>.npy (vectors),
and rank 0 the model OUT_FOLDER/model.
"""

import json
import sys
from pathlib import Path

import numpy as np

from wordvec import TrainConfig, train


def id_sequences() -> list[list[int]]:
    """Baskets of item ids; the test trains on all of them in one process."""
    rng = np.random.default_rng(0)
    return [(rng.integers(0, 40, 12) * 7 + 1000).tolist() for _ in range(3000)]


if __name__ == "__main__":
    from mpi4py import MPI

    out, corpus = Path(sys.argv[1]), sys.argv[2]
    config = TrainConfig(**json.loads(sys.argv[3] if len(sys.argv) > 3 else "{}"))
    comm = MPI.COMM_WORLD
    rank = comm.Get_rank()
    data = id_sequences()[rank::comm.Get_size()] if corpus == "ids" else corpus
    emb = train(data, config)
    np.save(out / f"rank{rank}.npy", emb.vectors)
    report = {"words": list(emb.words), "counts": emb.counts.tolist(), "stats": emb.stats}
    (out / f"rank{rank}.json").write_text(json.dumps(report))
    if rank == 0:
        emb.save(out / "model")
