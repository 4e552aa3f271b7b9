"""Queries on trained vectors: cosine nearest neighbours (NumPy/BLAS, no Numba)."""

from __future__ import annotations

import numpy as np

from .embeddings import Embeddings


def top_k(scores: np.ndarray, k: int, exclude=()) -> list[int]:
    """Indices of the ``k`` highest scores, best first, skipping ``exclude``.

    Uses ``argpartition`` (linear time) and sorts only the k + len(exclude) kept.
    """
    scores = np.asarray(scores, dtype=np.float32).copy()
    scores[list(exclude)] = -np.inf
    k = min(k, len(scores) - len(set(exclude)))
    if k <= 0:
        return []
    best = np.argpartition(-scores, k - 1)[:k]
    return best[np.argsort(-scores[best], kind="stable")].tolist()


def neighbors(emb: Embeddings, word: str, k: int = 10) -> list[tuple[str, float]]:
    """The ``k`` words with the highest cosine similarity to ``word`` (itself excluded)."""
    row = emb.id_of(word)
    unit = emb.unit_vectors()
    scores = unit @ unit[row]
    return [(emb.words[i], float(scores[i])) for i in top_k(scores, k, exclude=(row,))]
