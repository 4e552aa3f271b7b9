"""Run under ``mpiexec -n N`` by test_distributed.py: each rank trains through the
Python API and reports what it holds; rank 0 also saves the model.

Usage: python mpi_rank.py OUT_FOLDER CORPUS [config as JSON]
Writes OUT_FOLDER/rank<r>.json (words, counts, stats) and rank<r>.npy (vectors),
and rank 0 the model OUT_FOLDER/model.
"""

import json
import sys
from pathlib import Path

import numpy as np
from mpi4py import MPI

from wordvec import TrainConfig, train

out, corpus = Path(sys.argv[1]), sys.argv[2]
config = TrainConfig(**json.loads(sys.argv[3] if len(sys.argv) > 3 else "{}"))
rank = MPI.COMM_WORLD.Get_rank()
emb = train(corpus, config)
np.save(out / f"rank{rank}.npy", emb.vectors)
report = {"words": list(emb.words), "counts": emb.counts.tolist(), "stats": emb.stats}
(out / f"rank{rank}.json").write_text(json.dumps(report))
if rank == 0:
    emb.save(out / "model")
