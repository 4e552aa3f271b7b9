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
item columns, into one sequence per group without a Python loop over rows;
``row_sequences`` makes each record's categorical values one sequence.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Iterator

import numpy as np

from .corpus import MAX_SENTENCE_LEN

INT, STR = "int", "str"  # the two kinds of token a vocabulary can hold


def is_id(token) -> bool:
    """Whether ``token`` is an integer id (a Python or NumPy integer, not a bool)."""
    return isinstance(token, (int, np.integer)) and not isinstance(token, bool)


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
        tokens = seq if type(seq) is list else \
            seq.tolist() if isinstance(seq, np.ndarray) else list(seq)
        if len(tokens) <= MAX_SENTENCE_LEN:
            if tokens:
                yield tokens
            continue
        for start in range(0, len(tokens), MAX_SENTENCE_LEN):
            yield tokens[start:start + MAX_SENTENCE_LEN]


def id_batches(sequences: Iterable[list], tokens: int = 1 << 20
               ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The integer-id ``sequences`` (``iter_sequences``'s lists) as (ids int64, lengths)
    pairs of about ``tokens`` ids; TypeError when a token is not an int.

    Batches are taken by number of sequences (C-speed ``islice``), sized from the
    mean length so far.
    """
    items, size = iter(sequences), 1024
    while batch := list(itertools.islice(items, size)):
        lengths = np.fromiter(map(len, batch), np.int64, count=len(batch))
        yield _flat(batch, int(lengths.sum())), lengths
        size = max(1, int(tokens * len(batch) / max(int(lengths.sum()), 1)))


def _flat(batch: list[list], n: int) -> np.ndarray:
    kinds = set(map(type, itertools.chain.from_iterable(batch)))
    if not all(issubclass(k, (int, np.integer)) and not issubclass(k, bool) for k in kinds):
        wrong = next(t for t in itertools.chain.from_iterable(batch) if not is_id(t))
        token_kind({0: 0, wrong: 1})  # raises, naming the problem
    try:
        return np.fromiter(itertools.chain.from_iterable(batch), np.int64, count=n)
    except OverflowError:
        raise TypeError("an integer id does not fit in 64 bits; map the ids to smaller "
                        "numbers or to strings") from None


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


def row_sequences(table, columns=None) -> list[list[str]]:
    """One sequence per row: the row's value in each of ``columns``, as ``column=value``.

    For "entity embeddings" of categorical values that occur together in a record
    (a city, a device and a plan in one customer row): trained with ``window=0``,
    every value of a row is a context of every other. ``table``: a DataFrame or a
    dict of equal-length columns; ``columns``: which (default all).

    >>> row_sequences({"city": ["paris", "rome"], "plan": ["free", "pro"]})
    [['city=paris', 'plan=free'], ['city=rome', 'plan=pro']]
    """
    names = list(table.keys() if columns is None else columns)
    parts = [[f"{name}={value}" for value in np.asarray(table[name]).tolist()]
             for name in names]
    return [list(row) for row in zip(*parts)]
