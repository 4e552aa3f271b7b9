"""Numba kernels for phrase detection: candidate keys, table merge, joining, rendering.
Private: use ``phrases.py``.

Arrays and scalars in, arrays out. A stretch of tokens is given as ``ids`` (int32
word ids) and ``ends`` (int64, where each sentence ends, relative to the stretch).
Per word id, ``code`` (int32) says what the word can be in a phrase: its dense id
(0 or more) among the words that may start or end one; ``NO_PHRASE`` for a word
that may not; ``-1 - c`` for connector number ``c`` (1..C).

A candidate is a word that may start a phrase, then 0 to ``max_conn`` connectors,
then a word that may end one, adjacent in one sentence. Its key packs the first
word's dense id (bits 40-62), the connectors as base-``radix`` digits, most
significant first (bits 23-39), and the last word's dense id (bits 0-22); digits
are never 0, so connector runs of different lengths get different keys.

The sweeps over a stretch run in ``n_blocks`` blocks of whole sentences of about
equal length (``sentence_blocks``), in parallel, each writing where its input
starts; the pieces are then moved together, so the result is the serial one.
"""

import numpy as np
from numba import njit, prange

FIRST_SHIFT = 40
MID_SHIFT = 23
WORD_LIMIT = 1 << 23  # dense ids of words that may start or end a phrase
MID_LIMIT = 1 << 17  # connector codes
NO_PHRASE = -1


@njit(cache=True)
def sentence_blocks(ends, n_blocks):
    """Sentence indices cutting ``ends`` into ``n_blocks`` runs of about equal tokens;
    int64 (n_blocks + 1,). Block ``b`` holds sentences ``bounds[b]:bounds[b + 1]``."""
    total = ends[ends.shape[0] - 1] if ends.shape[0] else 0
    bounds = np.empty(n_blocks + 1, dtype=np.int64)
    for b in range(n_blocks + 1):
        bounds[b] = np.searchsorted(ends, (total * b) // n_blocks, side="right")
    bounds[0], bounds[n_blocks] = 0, ends.shape[0]
    return bounds


@njit(cache=True, inline="always")
def sentence_start(ends, s):
    """Where sentence ``s`` starts: where the one before it ends."""
    return ends[s - 1] if s > 0 else 0


@njit(cache=True)
def close_gaps(values, ends, bounds, written):
    """Move each block's ``written[b]`` values, written from its first token's position,
    to follow the previous block's. Returns (total, each block's shift)."""
    shifts = np.zeros(written.shape[0], dtype=np.int64)
    n = 0
    for b in range(written.shape[0]):
        start = sentence_start(ends, bounds[b])
        for i in range(written[b]):
            values[n + i] = values[start + i]
        shifts[b] = n - start
        n += written[b]
    return n, shifts


@njit(cache=True)
def block_keys(ids, ends, s_lo, s_hi, code, radix, max_conn, keys):
    """``candidate_keys`` for sentences ``s_lo:s_hi``, written from their first token's
    position in ``keys``; returns how many."""
    begin = sentence_start(ends, s_lo)
    n = begin
    for s in range(s_lo, s_hi):
        first, mid, n_mid, ok = -1, 0, 0, True
        for p in range(begin, ends[s]):
            c = code[ids[p]]
            if c < NO_PHRASE:  # a connector
                if first >= 0:
                    ok = ok and n_mid < max_conn
                    mid = mid * radix + (-1 - c) if ok else 0
                    n_mid += 1
                continue
            if first >= 0 and c >= 0 and ok:
                keys[n] = (np.int64(first) << FIRST_SHIFT) | (mid << MID_SHIFT) | c
                n += 1
            first, mid, n_mid, ok = c, 0, 0, True
        begin = ends[s]
    return n - sentence_start(ends, s_lo)


@njit(parallel=True, cache=True)
def candidate_keys(ids, ends, code, radix, max_conn, keys, n_blocks):
    """Write the key of every candidate in the stretch to ``keys``; return how many.

    Every pair of consecutive non-connector words is a candidate (when both may be
    in a phrase and at most ``max_conn`` connectors stand between them), so
    candidates overlap: in ``a b c`` both ``a b`` and ``b c`` are counted.
    """
    bounds = sentence_blocks(ends, n_blocks)
    written = np.zeros(n_blocks, dtype=np.int64)
    for b in prange(n_blocks):
        written[b] = block_keys(ids, ends, bounds[b], bounds[b + 1], code, radix, max_conn,
                                keys)
    return close_gaps(keys, ends, bounds, written)[0]


@njit(cache=True)
def merge_counts(keys, counts, found, cut):
    """Merge the sorted table (``keys``, ``counts``) with ``found``, keys that may
    repeat, sorted within ``found[:cut]`` and within ``found[cut:]`` (two runs, sorted
    at once), adding one to a key's count per occurrence. Returns the new table."""
    n_keys, n_found = keys.shape[0], found.shape[0]
    out_keys = np.empty(n_keys + n_found, dtype=np.int64)
    out_counts = np.empty(out_keys.shape[0], dtype=np.int64)
    i, j, m, n = 0, 0, cut, 0
    while i < n_keys or j < cut or m < n_found:
        key, have = np.int64(0), False  # the least key at the three fronts
        if i < n_keys:
            key, have = keys[i], True
        if j < cut and (not have or found[j] < key):
            key, have = found[j], True
        if m < n_found and (not have or found[m] < key):
            key = found[m]
        count = 0
        if i < n_keys and keys[i] == key:
            count += counts[i]
            i += 1
        while j < cut and found[j] == key:
            count += 1
            j += 1
        while m < n_found and found[m] == key:
            count += 1
            m += 1
        out_keys[n], out_counts[n] = key, count
        n += 1
    return out_keys[:n], out_counts[:n]


@njit(cache=True)
def block_join(ids, ends, s_lo, s_hi, code, radix, max_conn, phrases, out, out_ends):
    """``join_phrases`` for sentences ``s_lo:s_hi``, written from their first token's
    position in ``out``; ``phrases`` = (sorted keys, their word ids, whether a dense
    id starts any). Returns how many tokens."""
    keys, phrase_ids, can_start = phrases
    begin = sentence_start(ends, s_lo)
    n = begin
    for s in range(s_lo, s_hi):
        first, start, mid, n_mid, ok = -1, -1, 0, 0, True  # first: the pending word's position
        for p in range(begin, ends[s]):
            t = ids[p]
            c = code[t]
            if c < NO_PHRASE:
                if first >= 0:
                    ok = ok and n_mid < max_conn
                    mid = mid * radix + (-1 - c) if ok else 0
                    n_mid += 1
                else:
                    out[n] = t
                    n += 1
                continue
            if first >= 0:
                if ok and start >= 0 and c >= 0 and can_start[start]:
                    key = (np.int64(start) << FIRST_SHIFT) | (mid << MID_SHIFT) | c
                    i = np.searchsorted(keys, key)
                    if i < keys.shape[0] and keys[i] == key:
                        out[n] = phrase_ids[i]
                        n += 1
                        first = -1
                        continue
                for q in range(first, p):
                    out[n] = ids[q]
                    n += 1
            first, start, mid, n_mid, ok = p, c, 0, 0, True
        if first >= 0:
            for q in range(first, ends[s]):
                out[n] = ids[q]
                n += 1
        out_ends[s] = n
        begin = ends[s]
    return n - sentence_start(ends, s_lo)


@njit(parallel=True, cache=True)
def join_phrases(ids, ends, code, radix, max_conn, phrases, out, out_ends, n_blocks):
    """Rewrite the stretch with each phrase as one token; return the tokens written.

    Left to right and greedy: a word that ends a phrase cannot start the next, so
    ``a b c`` with phrases ``a b`` and ``b c`` becomes ``a_b c``, as word2vec.c's
    word2phrase and gensim's ``Phrases`` join. ``phrases`` = (sorted keys, the word
    id each is written as, bool per dense id: starts some phrase). Fills ``out``
    and ``out_ends`` (each sentence's new end).
    """
    bounds = sentence_blocks(ends, n_blocks)
    written = np.zeros(n_blocks, dtype=np.int64)
    for b in prange(n_blocks):
        written[b] = block_join(ids, ends, bounds[b], bounds[b + 1], code, radix, max_conn,
                                phrases, out, out_ends)
    n, shifts = close_gaps(out, ends, bounds, written)
    for b in range(n_blocks):
        for s in range(bounds[b], bounds[b + 1]):
            out_ends[s] += shifts[b]
    return n


@njit(cache=True)
def block_render(ids, ends, s_lo, s_hi, blob, starts, out, at):
    """``render`` for sentences ``s_lo:s_hi``, from byte ``at`` of ``out``; returns the
    bytes written."""
    n, begin = at, sentence_start(ends, s_lo)
    for s in range(s_lo, s_hi):
        for p in range(begin, ends[s]):
            t = ids[p]
            for b in range(starts[t], starts[t + 1]):
                out[n] = blob[b]
                n += 1
            out[n] = 32 if p + 1 < ends[s] else 10
            n += 1
        begin = ends[s]
    return n - at


@njit(parallel=True, cache=True)
def render(ids, ends, blob, starts, out, n_blocks):
    """Write the stretch as UTF-8 text into ``out``: each word's bytes
    ``blob[starts[t]:starts[t + 1]]``, a space between words, a newline after each
    non-empty sentence. Returns the number of bytes written."""
    bounds = sentence_blocks(ends, n_blocks)
    at = np.zeros(n_blocks + 1, dtype=np.int64)
    for b in prange(n_blocks):
        lo, hi = sentence_start(ends, bounds[b]), sentence_start(ends, bounds[b + 1])
        size = hi - lo
        for p in range(lo, hi):
            size += starts[ids[p] + 1] - starts[ids[p]]
        at[b + 1] = size
    for b in range(n_blocks):
        at[b + 1] += at[b]
    for b in prange(n_blocks):
        block_render(ids, ends, bounds[b], bounds[b + 1], blob, starts, out, at[b])
    return at[n_blocks]
