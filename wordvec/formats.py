"""Interchange formats. Writes GloVe text: one line per word, the word then its
floats separated by single spaces, no header line, frequency order.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import numpy as np

from .embeddings import Embeddings

BLOCK_ROWS = 2048


def _check_text_safe(words: list[str]) -> None:
    for word in words:
        if not word or any(c.isspace() for c in word):
            raise ValueError(f"word {word!r} contains whitespace and cannot be written to a "
                             f"text format; export with -f npy instead")


def glove_lines(emb: Embeddings, limit: int = 0, normalize: bool = False,
                precision: int = 6):
    """Yield blocks of GloVe text lines (strings ending in newlines)."""
    n = min(limit, len(emb)) if limit else len(emb)
    words = emb.words[:n]
    _check_text_safe(words)
    matrix = emb.unit_vectors() if normalize else emb.vectors
    fmt = " ".join([f"%.{precision}g"] * emb.dim)
    for start in range(0, n, BLOCK_ROWS):
        block = np.asarray(matrix[start:start + BLOCK_ROWS], dtype=np.float64).tolist()
        yield "".join(f"{w} {fmt % tuple(row)}\n"
                      for w, row in zip(words[start:start + BLOCK_ROWS], block))


def write_glove(emb: Embeddings, out: str | os.PathLike, limit: int = 0,
                normalize: bool = False, precision: int = 6) -> None:
    """Write GloVe text to ``out`` (``-`` for stdout); a file appears only when complete."""
    lines = glove_lines(emb, limit, normalize, precision)
    if str(out) == "-":
        sys.stdout.writelines(lines)
        return
    out = Path(out)
    tmp = out.parent / f".{out.name}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.writelines(lines)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
