"""Cosine queries on arrays of unit-length rows: neighbours, analogies (NumPy/BLAS, no Numba).

Everything here takes matrices and row numbers, not models: ``Embeddings`` turns
words into rows and calls these, and ``evaluate`` scores whole analogy sets with
the same ``add_scores``. Candidates are the first ``restrict`` rows when given (the
most frequent words), as word2vec's tools and gensim's ``restrict_vocab`` do.
"""

from __future__ import annotations

import numpy as np

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


def unit_rows(matrix) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.maximum(norms, np.float32(1e-12))


def nearest(unit: np.ndarray, target: np.ndarray, k: int, exclude=(),
            restrict: int | None = None) -> list[tuple[int, float]]:
    """(row, cosine) of the ``k`` rows of ``unit`` closest to vector ``target``, best first."""
    scores = unit[:restrict] @ unit_rows(target) if restrict else unit @ unit_rows(target)
    return [(i, float(scores[i])) for i in top_k(scores, k, exclude)]


def add_scores(candidates: np.ndarray, a, b, c) -> np.ndarray:
    """3CosAdd: cos(x, b) - cos(x, a) + cos(x, c) for every candidate row x.

    ``a``, ``b``, ``c``: unit vectors (dim,), or batches (m, dim) for m questions at
    once (then the result is (m, n_candidates)). Mikolov et al. 2013, "Linguistic
    Regularities in Continuous Space Word Representations".
    """
    return (b - a + c) @ candidates.T


def mul_scores(candidates: np.ndarray, a, b, c) -> np.ndarray:
    """3CosMul: cos'(x, b) cos'(x, c) / (cos'(x, a) + 1e-3) with cos' = (1 + cos) / 2
    (Levy and Goldberg 2014, "Linguistic Regularities in Sparse and Explicit Word
    Representations")."""
    ca, cb, cc = ((candidates @ v + 1.0) / 2.0 for v in (a, b, c))
    return cb * cc / (ca + 1e-3)


def analogy(unit: np.ndarray, queries: np.ndarray, k: int = 1, method: str = "add",
            restrict: int | None = None, exclude=()) -> list[tuple[int, float]]:
    """a is to b as c is to ?: (row, score) of the ``k`` best answers.

    ``queries``: the unit vectors of a, b and c, shape (3, dim); ``exclude``: rows
    that are never answers (the question's words, when in the vocabulary).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    score = add_scores if method == "add" else mul_scores
    scores = score(unit[:restrict] if restrict else unit, *queries)
    return [(i, float(scores[i])) for i in top_k(scores, k, exclude)]
