"""A 2-D picture of some words: PCA of their vectors, drawn with matplotlib (optional)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .embeddings import Embeddings


def pca_2d(vectors: np.ndarray) -> np.ndarray:
    """Project rows onto their first two principal components (float64, shape (n, 2))."""
    centred = np.asarray(vectors, dtype=np.float64)
    centred = centred - centred.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    return centred @ components[:2].T


def plot_words(emb: Embeddings, words: list[str], out: str | Path) -> Path:
    """Write a labelled scatter plot of ``words`` (PNG) to ``out``."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ValueError("plotting needs matplotlib; install it with "
                         "pip install 'wordvec[plot]'") from None
    if len(words) < 2:
        raise ValueError("give at least 2 words to plot (or --top N)")
    points = pca_2d(emb.unit_vectors()[[emb.id_of(w) for w in words]])
    fig, ax = plt.subplots(figsize=(8, 8))
    ax.scatter(points[:, 0], points[:, 1], s=12)
    for word, (x, y) in zip(words, points):
        ax.annotate(word, (x, y), xytext=(3, 3), textcoords="offset points", fontsize=9)
    ax.set_title(f"PCA of {len(words)} word vectors")
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return Path(out)
