"""Python data in: sequences of item ids or strings, trained without text files.

``wordvec.train`` takes, besides paths, any iterable of sequences of tokens, where a
token is a ``str`` or an ``int`` and a sequence is a list, a tuple or a NumPy array:
a list of lists, a pandas Series of lists (``df.groupby("session")["item"]
.apply(list)``), a generator, or a function that returns one. The data is read once:
the counting pass writes every token's provisional id to a scratch file, and the
epochs train from that file, so a one-shot generator works and memory does not grow
with the data. Integer ids stay integers (the vocabulary holds the ints), and so do
the neighbours that come back.

``group_sequences`` turns (group, value) rows, such as a DataFrame's session and
item columns, into one sequence per group without a Python loop over rows.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np

from .corpus import MAX_SENTENCE_LEN

INT, STR = "int", "str"  # the two kinds of token a vocabulary can hold


def is_sequences(inputs) -> bool:
    """Whether ``inputs`` is Python data rather than a path or a list of paths."""
    if isinstance(inputs, (str, bytes, os.PathLike)):
        return False
    if isinstance(inputs, (list, tuple)) and inputs and \
            all(isinstance(x, (str, os.PathLike)) for x in inputs):
        return False
    return True


def iter_sequences(source) -> Iterator[list]:
    """The sequences of ``source`` as lists of tokens, at most ``MAX_SENTENCE_LEN`` each
    (longer ones are cut, as long lines are); empty ones are skipped.

    ``source``: an iterable of sequences, or a function that returns one.
    """
    if callable(source):
        source = source()
    if hasattr(source, "columns"):
        raise TypeError("a DataFrame is not a sequence of sequences; pass one column of "
                        "sequences (df.groupby('session')['item'].apply(list)) or "
                        "wordvec.group_sequences(df['session'], df['item'])")
    try:
        items = iter(source)
    except TypeError:
        raise TypeError(f"train takes paths or an iterable of token sequences, got "
                        f"{type(source).__name__}") from None
    for seq in items:
        if isinstance(seq, (str, bytes)):
            raise TypeError(f"a sequence is a list of tokens, not a string ({seq[:40]!r}); "
                            f"split it into tokens, or pass file paths as a list")
        tokens = seq.tolist() if isinstance(seq, np.ndarray) else list(seq)
        for start in range(0, len(tokens), MAX_SENTENCE_LEN):
            yield tokens[start:start + MAX_SENTENCE_LEN]


def token_kind(index: dict) -> tuple[str, dict]:
    """Whether the counted tokens are all ints or all strings, and the index with NumPy
    integers as Python ints; raises TypeError for anything else or a mix."""
    kinds = {type(token) for token in index}
    if kinds <= {str}:
        return STR, index
    if all(issubclass(k, (int, np.integer)) and not issubclass(k, bool) for k in kinds):
        return INT, index if kinds == {int} else {int(t): i for t, i in index.items()}
    wrong = next(t for t in index if not isinstance(t, str))
    if all(issubclass(k, (str, int, np.integer)) for k in kinds):
        raise TypeError(f"the sequences mix string and integer tokens (such as {wrong!r}); "
                        f"use one kind: ids as ints, or every token as a string")
    raise TypeError(f"tokens must be str or int, got {type(wrong).__name__} ({wrong!r})")


def group_sequences(groups, values) -> list[np.ndarray]:
    """One sequence per group: the ``values`` of the rows whose ``groups`` entry is
    the same, in row order, groups in sorted order.

    ``groups``, ``values``: equal-length 1-D arrays or pandas Series, such as a
    DataFrame's session and item columns.

    >>> [s.tolist() for s in group_sequences([2, 1, 2, 1], [10, 11, 12, 13])]
    [[11, 13], [10, 12]]
    """
    groups, values = np.asarray(groups), np.asarray(values)
    if groups.shape != values.shape or groups.ndim != 1:
        raise ValueError(f"groups and values must be 1-D and of the same length, got "
                         f"shapes {groups.shape} and {values.shape}")
    order = np.argsort(groups, kind="stable")
    cuts = np.flatnonzero(groups[order][1:] != groups[order][:-1]) + 1
    return np.split(values[order], cuts) if len(values) else []
