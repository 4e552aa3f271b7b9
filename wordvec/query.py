"""Queries on trained vectors: neighbours, similarity, analogies (NumPy/BLAS, no Numba).

All use cosine similarity on unit-length rows, computed once per model
(``Embeddings.unit_vectors``). ``restrict`` limits candidates to the N most
frequent words, as word2vec's tools and gensim's ``restrict_vocab`` do.
"""

from __future__ import annotations

import numpy as np

from .embeddings import Embeddings

METHODS = ("add", "mul")


def top_k(scores: np.ndarray, k: int, exclude=()) -> list[int]:
    """Indices of the ``k`` highest scores, best first, skipping ``exclude``.

    Uses ``argpartition`` (linear time) and sorts only the k kept.
    """
    scores = np.asarray(scores, dtype=np.float32).copy()
    exclude = [i for i in set(exclude) if i < len(scores)]
    scores[exclude] = -np.inf
    k = min(k, len(scores) - len(exclude))
    if k <= 0:
        return []
    best = np.argpartition(-scores, k - 1)[:k]
    return best[np.argsort(-scores[best], kind="stable")].tolist()


def _candidates(emb: Embeddings, restrict: int | None) -> np.ndarray:
    unit = emb.unit_vectors()
    return unit[:restrict] if restrict else unit


def neighbors(emb: Embeddings, query, k: int = 10, restrict: int | None = None):
    """The ``k`` words most cosine-similar to ``query`` (a word, excluded, or a vector).

    Returns a list of (word, cosine) pairs, best first.
    """
    if isinstance(query, str):
        row = emb.id_of(query)
        target, exclude = emb.unit_vectors()[row], (row,)
    else:
        target, exclude = np.asarray(query, dtype=np.float32), ()
        target = target / max(float(np.linalg.norm(target)), 1e-12)
    scores = _candidates(emb, restrict) @ target
    return [(emb.words[i], float(scores[i])) for i in top_k(scores, k, exclude)]


def similarity(emb: Embeddings, a: str, b: str) -> float:
    """Cosine similarity of two words."""
    unit = emb.unit_vectors()
    return float(unit[emb.id_of(a)] @ unit[emb.id_of(b)])


def analogy(emb: Embeddings, a: str, b: str, c: str, k: int = 1, method: str = "add",
            restrict: int | None = None):
    """a is to b as c is to ?: the ``k`` best answers, the three query words excluded.

    ``add`` is 3CosAdd, cos(x, b) - cos(x, a) + cos(x, c); ``mul`` is 3CosMul,
    cos'(x, b) cos'(x, c) / (cos'(x, a) + 1e-3) with cos' = (1 + cos) / 2
    (Levy and Goldberg 2014, "Linguistic Regularities in Sparse and Explicit Word
    Representations").
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    rows = [emb.id_of(w) for w in (a, b, c)]
    unit = emb.unit_vectors()
    cand = _candidates(emb, restrict)
    if method == "add":
        scores = cand @ (unit[rows[1]] - unit[rows[0]] + unit[rows[2]])
    else:
        ca, cb, cc = ((cand @ unit[r] + 1.0) / 2.0 for r in rows)
        scores = cb * cc / (ca + 1e-3)
    return [(emb.words[i], float(scores[i])) for i in top_k(scores, k, rows)]
