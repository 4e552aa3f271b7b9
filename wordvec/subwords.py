"""Character n-grams and their bucket rows, exactly as fastText defines them.

Bojanowski et al. 2017, "Enriching Word Vectors with Subword Information", section
3.2: a word is wrapped in ``<`` and ``>``; its n-grams are the substrings of n
Unicode characters, ``minn <= n <= maxn``, taken from the wrapped word's UTF-8
bytes without splitting a character; the lone ``<`` and ``>`` are never n-grams,
and the whole wrapped word is one when it is short enough. Each n-gram is hashed
with 32-bit FNV-1a over its bytes, where fastText sign-extends every byte before
the xor (``uint32_t(int8_t(c))``), so bytes from 0x80 up (every non-ASCII
character) hash differently from the textbook FNV-1a; we do the same so that our
rows match fastText's and gensim's files. An n-gram's row is ``n_words + hash %
buckets``, after the words' own rows.

Plain Python over integers and bytes, no Numba: queries compose vectors for
unseen words with it and must start fast.
"""

from __future__ import annotations

import numpy as np

FNV_OFFSET = 2166136261
FNV_PRIME = 16777619
UINT32 = 0xFFFFFFFF
BOW, EOW = "<", ">"  # fastText's begin- and end-of-word markers


def fasttext_hash(data: bytes) -> int:
    """32-bit FNV-1a of ``data`` with each byte sign-extended first, as fastText does."""
    h = FNV_OFFSET
    for byte in data:
        h = ((h ^ (byte | 0xFFFFFF00 if byte & 0x80 else byte)) * FNV_PRIME) & UINT32
    return h


def char_ngrams(word: str, minn: int, maxn: int) -> list[bytes]:
    """The UTF-8 n-grams of ``<word>``, in fastText's order (by start, then length).

    >>> char_ngrams("ab", 3, 6)
    [b'<ab', b'<ab>', b'ab>']
    """
    data = (BOW + word + EOW).encode("utf-8")
    starts = [i for i in range(len(data)) if data[i] & 0xC0 != 0x80]  # character starts
    ends = starts[1:] + [len(data)]
    found = []
    for first in range(len(starts)):
        for n in range(1, maxn + 1):
            last = first + n - 1
            if last >= len(starts):
                break
            is_marker = n == 1 and (first == 0 or last == len(starts) - 1)
            if n >= minn and not is_marker:
                found.append(data[starts[first]:ends[last]])
    return found


def ngram_buckets(word: str, minn: int, maxn: int, buckets: int) -> list[int]:
    """The bucket (``hash % buckets``) of each of ``word``'s n-grams, in order."""
    return [fasttext_hash(g) % buckets for g in char_ngrams(word, minn, maxn)]


def subword_rows(words: list[str], minn: int, maxn: int,
                 buckets: int) -> tuple[np.ndarray, np.ndarray]:
    """Each word's input rows as a CSR pair: its own row, then its n-grams' rows.

    Returns (offsets int64 (n_words + 1,), rows int32): word ``i`` averages rows
    ``rows[offsets[i]:offsets[i + 1]]``, the first being ``i`` and the others
    ``n_words + bucket``. Computed once per vocabulary, so kernels never hash strings.
    """
    n_words = len(words)
    offsets = np.zeros(n_words + 1, dtype=np.int64)
    rows: list[int] = []
    for i, word in enumerate(words):
        rows.append(i)
        rows.extend(n_words + b for b in ngram_buckets(word, minn, maxn, buckets))
        offsets[i + 1] = len(rows)
    return offsets, np.array(rows, dtype=np.int32)
