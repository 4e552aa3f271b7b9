"""Numba kernels for counting whitespace-separated words: split UTF-8 text on what
``str.split()`` calls whitespace, give each distinct word a provisional id (first
seen, first numbered; freed ids reused), count it and write the ids and sentence
ends. Private: used by ``vocab.count_and_spool_bytes``.

The table is open addressing over ``slots`` (int64, a power of two, -1 empty) keyed
by each word's 64-bit FNV-1a hash; a slot holds the id in its low 32 bits and the
hash's top 31 bits above them, so a probe that meets another word rarely reads
more than the slot. Per id: its hash, where its bytes start in ``arena`` and their
length, and its count. ``state`` (int64) holds the scalars:
ids handed out, arena bytes used, free ids, the open sentence's length, live ids.
"""

from collections import namedtuple

import numpy as np
from numba import njit

MAX_SENTENCE_LEN = 10_000  # corpus.MAX_SENTENCE_LEN: a longer line is cut into sentences
N_IDS, ARENA_USED, N_FREE, SENTENCE_LEN, N_LIVE = range(5)
FNV_OFFSET = np.uint64(0xCBF29CE484222325)
FNV_PRIME = np.uint64(0x100000001B3)
ID_MASK = (1 << 32) - 1
TAG_MASK = ~ID_MASK

Table = namedtuple("Table", ["slots", "hashes", "starts", "lengths", "arena", "counts",
                             "free", "state"])


@njit(cache=True, inline="always")
def space_width(b, c, d):
    """Bytes in the whitespace character (as ``str.isspace``) whose UTF-8 starts with
    the bytes ``b, c, d`` (as int64; 0 past the end), or 0: ASCII 9-13 and 28-32;
    U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.

    Bytes, not the array: an array argument costs reference counting on every call,
    even inlined (50 ns a byte, measured)."""
    if 32 < b < 0xC2:  # printable ASCII and continuation bytes: the common case
        return 0
    if b == 32 or 9 <= b <= 13 or 28 <= b <= 31:
        return 1
    if b == 0xC2:
        return 2 if c == 0x85 or c == 0xA0 else 0
    if b == 0xE1:
        return 3 if c == 0x9A and d == 0x80 else 0
    if b == 0xE3:
        return 3 if c == 0x80 and d == 0x80 else 0
    if b == 0xE2 and c == 0x80 and (d <= 0x8A or d == 0xA8 or d == 0xA9 or d == 0xAF):
        return 3
    return 3 if b == 0xE2 and c == 0x81 and d == 0x9F else 0


@njit(cache=True)
def add_word(data, p, q, h, slot, table):
    """Give the new word ``data[p:q]`` an id (a freed one first) in ``slot``; return it."""
    state = table.state
    if state[N_FREE] > 0:
        state[N_FREE] -= 1
        s = table.free[state[N_FREE]]
    else:
        s = state[N_IDS]
        state[N_IDS] += 1
    start = state[ARENA_USED]
    for j in range(q - p):
        table.arena[start + j] = data[p + j]
    state[ARENA_USED] += q - p
    table.hashes[s], table.starts[s], table.lengths[s], table.counts[s] = h, start, q - p, 0
    table.slots[slot] = slot_value(h, s)
    state[N_LIVE] += 1
    return s


@njit(cache=True, nogil=True)
def count_words(data, ends_line, table, ids, ends, first_token):
    """Split ``data`` (UTF-8 bytes) into words, counting each and writing its id to
    ``ids``; a line ends a sentence, and so does every ``MAX_SENTENCE_LEN``-th word of
    a line. ``ends`` gets each sentence's end (token number, from ``first_token``).
    ``ends_line`` False: the text's last line goes on in the next call. Returns
    (words written, sentence ends written).

    One pass over the bytes, the end of the text read as a space; a word's hash
    (FNV-1a) is built as it is read, then looked up by linear probing, comparing
    bytes only when the slot's hash bits and the lengths agree. No helper that takes an array is
    called per byte or per known word (see ``space_width``)."""
    slots, starts, lengths = table.slots, table.starts, table.lengths
    arena, counts, state, n = table.arena, table.counts, table.state, data.shape[0]
    mask = slots.shape[0] - 1
    k, e, length, word, h = 0, 0, state[SENTENCE_LEN], -1, FNV_OFFSET
    p = 0
    while p <= n:
        b = np.int64(data[p]) if p < n else 32
        width = 0
        if not 32 < b < 0xC2:
            width = space_width(b, np.int64(data[p + 1]) if p + 1 < n else 0,
                                np.int64(data[p + 2]) if p + 2 < n else 0)
        if width == 0:
            if word < 0:
                word, h = p, FNV_OFFSET
            h = (h ^ np.uint64(b)) * FNV_PRIME
            p += 1
            continue
        if word >= 0:  # a word ends here: find it, or add it
            i, tag, s = np.int64(h & np.uint64(mask)), slot_value(h, 0), -1
            while slots[i] >= 0:
                if slots[i] & TAG_MASK == tag:
                    s = slots[i] & ID_MASK
                    if lengths[s] == p - word:
                        for j in range(p - word):
                            if data[word + j] != arena[starts[s] + j]:
                                break
                        else:
                            break
                    s = -1
                i = (i + 1) & mask
            if s < 0:
                s = add_word(data, word, p, h, i, table)
            counts[s] += 1
            ids[k] = s
            k += 1
            length += 1
            word = -1
            if length == MAX_SENTENCE_LEN:
                ends[e] = first_token + k
                e += 1
                length = 0
        if b == 10 and length > 0:
            ends[e] = first_token + k
            e += 1
            length = 0
        p += width
    if ends_line and length > 0:
        ends[e] = first_token + k
        e += 1
        length = 0
    state[SENTENCE_LEN] = length
    return k, e


@njit(cache=True, inline="always")
def slot_value(h, s):
    """A slot holding id ``s`` of a word of hash ``h`` (int64, never negative)."""
    return np.int64(h >> np.uint64(33)) << 32 | s


@njit(cache=True)
def fill_slots(slots, hashes, live):
    """Rebuild the open-addressing ``slots`` (all -1 on entry) for the ``live`` ids."""
    mask = slots.shape[0] - 1
    for s in live:
        i = np.int64(hashes[s] & np.uint64(mask))
        while slots[i] >= 0:
            i = (i + 1) & mask
        slots[i] = slot_value(hashes[s], s)


# What ``word_lines`` makes of a character (``char_kind``).
WORD, JOINER, BREAK, NEWLINE, OTHER = range(5)


@njit(cache=True, inline="always")
def char_kind(b, c, d):
    """The kind of the character whose UTF-8 starts with bytes ``b, c, d`` (int64; 0
    past the end) and its width in bytes, for the default tokenizer's characters that
    NFKC leaves alone: ASCII; Latin-1 letters U+00C0-U+00FF (a word character, but
    not × and ÷); the quotes, dashes and ellipsis U+2018, U+201C, U+201D, U+2013,
    U+2014, U+2026 (breaks; NFKC turns the ellipsis into three dots, breaks too);
    U+2019, a joiner like ``'``, ``-`` and ``_``. Anything else is OTHER."""
    if b < 0x80:
        if 48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122:
            return WORD, 1
        if b == 39 or b == 45 or b == 95:
            return JOINER, 1
        return (NEWLINE, 1) if b == 10 else (BREAK, 1)
    if b == 0xC3 and 0x80 <= c <= 0xBF:
        return (BREAK, 2) if c == 0x97 or c == 0xB7 else (WORD, 2)
    if b == 0xE2 and c == 0x80:
        if d == 0x99:
            return JOINER, 3
        if d == 0x98 or d == 0x9C or d == 0x9D or d == 0x93 or d == 0x94 or d == 0xA6:
            return BREAK, 3
    return OTHER, 1


@njit(cache=True, nogil=True)
def word_lines(data, lowercase, out, odd):
    """The default tokenizer's words (``corpus.tokenize``) of each line of ``data``
    (UTF-8 bytes), written to ``out`` one line per line, the words split by single
    spaces: a word is a run of word characters with single joiners inside, lowercased
    (ASCII and Latin-1) when ``lowercase``. A line holding a character ``char_kind``
    does not know is left empty in ``out``, for the caller to fill, and its input
    start, end (before the newline) and place in ``out`` go to the next three slots
    of ``odd`` (int64, three per line). Returns (bytes written, odd lines); ``out``
    needs as many bytes as ``data``.

    A joiner after a word character waits (``joiner``: its width) until the next
    character says whether the word goes on through it."""
    n, o, k, p = data.shape[0], 0, 0, 0
    while p < n:
        line, line_out, in_word, joiner = p, o, False, 0
        kind = BREAK
        while p < n:
            b = np.int64(data[p])
            c = np.int64(data[p + 1]) if p + 1 < n else 0
            kind, width = char_kind(b, c, np.int64(data[p + 2]) if p + 2 < n else 0)
            if kind == NEWLINE or kind == OTHER:
                break
            if kind == WORD:
                if joiner > 0:
                    for j in range(joiner):
                        out[o + j] = data[p - joiner + j]
                    o += joiner
                elif not in_word and o > line_out:
                    out[o] = 32
                    o += 1
                if width == 1:
                    out[o] = b + 32 if lowercase and 65 <= b <= 90 else b
                else:
                    out[o] = b
                    out[o + 1] = c + 32 if lowercase and c <= 0x9E else c
                o += width
                in_word, joiner = True, 0
            elif kind == JOINER and in_word and joiner == 0:
                joiner = width
            else:
                in_word, joiner = False, 0
            p += width
        if kind == OTHER:
            while p < n and data[p] != 10:
                p += 1
            odd[3 * k], odd[3 * k + 1], odd[3 * k + 2] = line, p, line_out
            k += 1
            o = line_out
        if p < n:  # at a newline
            out[o] = 10
            o += 1
            p += 1
    return o, k
