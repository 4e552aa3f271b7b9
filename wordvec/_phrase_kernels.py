"""Numba kernels for phrase detection: candidate keys, table merge, joining, rendering.
Private: use ``phrases.py``.

Arrays and scalars in, arrays out. A stretch of tokens is given as ``ids`` (int32
word ids) and ``ends`` (int64, where each sentence ends, relative to the
stretch). Per word id: ``elig`` (int64) is the word's dense id among the words that
may start or end a phrase, or -1; ``conn`` (int64) is its connector number 1..C,
or 0 for a word that is not a connector.

A candidate is a word that may start a phrase, then 0 to ``max_conn`` connectors,
then a word that may end one, adjacent in one sentence. Its key packs the first
word's dense id (bits 40-62), the connectors as base-``radix`` digits, most
significant first (bits 23-39), and the last word's dense id (bits 0-22); digits
are never 0, so connector runs of different lengths get different keys.
"""

import numpy as np
from numba import njit

FIRST_SHIFT = 40
MID_SHIFT = 23
WORD_LIMIT = 1 << 23  # dense ids of words that may start or end a phrase
MID_LIMIT = 1 << 17  # connector codes


@njit(cache=True)
def candidate_keys(ids, ends, elig, conn, radix, max_conn, keys):
    """Write the key of every candidate in the stretch to ``keys``; return how many.

    Every pair of consecutive non-connector words is a candidate (when both may be
    in a phrase and at most ``max_conn`` connectors stand between them), so
    candidates overlap: in ``a b c`` both ``a b`` and ``b c`` are counted.
    """
    n, begin = 0, 0
    for s in range(ends.shape[0]):
        first, mid, n_mid, ok = -1, 0, 0, True
        for p in range(begin, ends[s]):
            t = ids[p]
            if conn[t] > 0:
                if first >= 0:
                    ok = ok and n_mid < max_conn
                    mid = mid * radix + conn[t] if ok else 0
                    n_mid += 1
                continue
            e = elig[t]
            if first >= 0 and e >= 0 and ok:
                keys[n] = (first << FIRST_SHIFT) | (mid << MID_SHIFT) | e
                n += 1
            first, mid, n_mid, ok = e, 0, 0, True
        begin = ends[s]
    return n


@njit(cache=True)
def merge_counts(keys_a, counts_a, keys_b, counts_b):
    """Merge two sorted (key, count) tables into one, summing the counts of equal keys."""
    keys = np.empty(keys_a.shape[0] + keys_b.shape[0], dtype=np.int64)
    counts = np.empty(keys.shape[0], dtype=np.int64)
    i, j, n = 0, 0, 0
    while i < keys_a.shape[0] or j < keys_b.shape[0]:
        if j == keys_b.shape[0] or (i < keys_a.shape[0] and keys_a[i] < keys_b[j]):
            keys[n], counts[n] = keys_a[i], counts_a[i]
            i += 1
        elif i == keys_a.shape[0] or keys_b[j] < keys_a[i]:
            keys[n], counts[n] = keys_b[j], counts_b[j]
            j += 1
        else:
            keys[n], counts[n] = keys_a[i], counts_a[i] + counts_b[j]
            i += 1
            j += 1
        n += 1
    return keys[:n], counts[:n]


@njit(cache=True)
def join_phrases(ids, ends, elig, conn, radix, max_conn, phrase_keys, phrase_ids, out,
                 out_ends):
    """Rewrite the stretch with each phrase (key in sorted ``phrase_keys``) as one token.

    Left to right and greedy: a word that ends a phrase cannot start the next, so
    ``a b c`` with phrases ``a b`` and ``b c`` becomes ``a_b c``, as word2vec.c's
    word2phrase and gensim's ``Phrases`` join. The phrase ``phrase_keys[i]`` is
    written as ``phrase_ids[i]``. Fills ``out`` and ``out_ends`` (each sentence's
    new end); returns the number of tokens written.
    """
    can_start = np.zeros(max(elig.max() + 1, 1), dtype=np.bool_)  # skips most searches
    for key in phrase_keys:
        can_start[key >> FIRST_SHIFT] = True
    n, begin = 0, 0
    for s in range(ends.shape[0]):
        first, start, mid, n_mid, ok = -1, -1, 0, 0, True  # first: the pending word's position
        for p in range(begin, ends[s]):
            t = ids[p]
            if conn[t] > 0:
                if first >= 0:
                    ok = ok and n_mid < max_conn
                    mid = mid * radix + conn[t] if ok else 0
                    n_mid += 1
                else:
                    out[n] = t
                    n += 1
                continue
            e = elig[t]
            if first >= 0:
                if ok and start >= 0 and e >= 0 and can_start[start]:
                    key = (start << FIRST_SHIFT) | (mid << MID_SHIFT) | e
                    i = np.searchsorted(phrase_keys, key)
                    if i < phrase_keys.shape[0] and phrase_keys[i] == key:
                        out[n] = phrase_ids[i]
                        n += 1
                        first = -1
                        continue
                for q in range(first, p):
                    out[n] = ids[q]
                    n += 1
            first, start, mid, n_mid, ok = p, e, 0, 0, True
        if first >= 0:
            for q in range(first, ends[s]):
                out[n] = ids[q]
                n += 1
        out_ends[s] = n
        begin = ends[s]
    return n


@njit(cache=True)
def render(ids, ends, blob, starts, out):
    """Write the stretch as UTF-8 text into ``out``: each word's bytes
    ``blob[starts[t]:starts[t + 1]]``, a space between words, a newline after each
    non-empty sentence. Returns the number of bytes written."""
    n, begin = 0, 0
    for s in range(ends.shape[0]):
        for p in range(begin, ends[s]):
            t = ids[p]
            for b in range(starts[t], starts[t + 1]):
                out[n] = blob[b]
                n += 1
            out[n] = 32 if p + 1 < ends[s] else 10
            n += 1
        begin = ends[s]
    return n
