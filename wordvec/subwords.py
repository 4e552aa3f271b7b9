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
EOS = "</s>"  # fastText's end-of-line token: as a vocabulary word it has no n-grams


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


def vocab_buckets(words: list[str], minn: int, maxn: int,
                  buckets: int) -> tuple[np.ndarray, np.ndarray]:
    """``ngram_buckets`` of every vocabulary word at once, as a CSR pair, in NumPy.

    As in fastText, the vocabulary word ``</s>`` has no n-grams.

    Returns (offsets int64 (n_words + 1,), buckets int64): word ``i``'s n-grams'
    buckets are ``buckets[offsets[i]:offsets[i + 1]]``, in ``char_ngrams``'s order.
    The hash of the n-gram of ``n`` characters starting at character ``c`` extends
    the one of ``n - 1`` characters by one character's bytes, so the loop runs over
    ``n`` and bytes while the arrays hold every character of every word: about 25
    array passes instead of a Python loop over each n-gram's bytes (0.19 s against
    1.27 s for 70,000 words of English).
    """
    data = np.frombuffer("".join(BOW + w + EOW for w in words).encode("utf-8"), np.uint8)
    starts = np.flatnonzero(data & 0xC0 != 0x80)  # first byte of every character
    ends = np.append(starts[1:], len(data))
    lengths = np.array([len(w) + 2 for w in words], dtype=np.int64)  # characters
    first = np.repeat(np.cumsum(lengths) - lengths, lengths)  # each char's word's first
    last = first + np.repeat(lengths, lengths) - 1
    chars = np.arange(len(starts))
    signed = np.where(data & 0x80, data.astype(np.uint32) | 0xFFFFFF00, data).astype(np.uint32)
    h = np.full(len(chars), FNV_OFFSET, dtype=np.uint32)
    found, owner = [], []
    for n in range(1, maxn + 1):
        end = chars + n - 1  # the n-gram's last character
        fits = end <= last
        tail = np.minimum(end, len(starts) - 1)
        for k in range(4):  # a character has at most 4 UTF-8 bytes
            pos = starts[tail] + k
            more = fits & (pos < ends[tail])
            byte = signed[np.minimum(pos, len(data) - 1)]
            h = np.where(more, (h ^ byte) * np.uint32(FNV_PRIME), h)
        marker = (n == 1) & ((chars == first) | (end == last))
        take = fits & ~marker if n >= minn else np.zeros(len(chars), bool)
        found.append(np.where(take, h, 0))
        owner.append(np.where(take, chars, -1))
    order = np.stack(owner, axis=1).ravel()  # by start character, then length
    kept = order >= 0
    hashes = np.stack(found, axis=1).ravel()[kept].astype(np.int64) % buckets
    word_of_char = np.repeat(np.arange(len(words)), lengths)
    owners = word_of_char[order[kept]]
    eos = [i for i, w in enumerate(words) if w == EOS]
    if eos:
        hashes, owners = hashes[~np.isin(owners, eos)], owners[~np.isin(owners, eos)]
    counts = np.bincount(owners, minlength=len(words))
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64), hashes


def subword_rows(words: list[str], minn: int, maxn: int, buckets: int,
                 counts=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each word's input rows as a CSR pair, over only the buckets the words use.

    Returns (offsets int64 (n_words + 1,), rows int32, used int64): word ``i``
    averages rows ``rows[offsets[i]:offsets[i + 1]]``, in increasing order: first
    ``i``, then ``n_words + j`` for each of its n-grams, where ``used[j]`` is the
    bucket. A bucket no word uses is never trained, so it gets no row: the matrix
    holds ``n_words + len(used)`` rows instead of ``n_words + buckets``. With the
    words' ``counts``, the n-gram rows are numbered from the most used (the count
    of the words that have it) down, so the rows most centre words read share
    cache lines and pages (5% faster training on 10M tokens of English, 1 thread,
    median of 2, against bucket order); else ``used`` is sorted. Computed once per
    vocabulary, so kernels never hash.
    """
    n_words = len(words)
    ngram_offsets, found = vocab_buckets(words, minn, maxn, buckets)
    used, compact = np.unique(found, return_inverse=True)
    sizes = np.diff(ngram_offsets)
    if counts is not None:
        use = np.bincount(compact, weights=np.repeat(counts, sizes), minlength=len(used))
        order = np.argsort(-use, kind="stable")
        used, compact = used[order], np.argsort(order)[compact]
    rows = np.empty(len(found) + n_words, dtype=np.int32)
    offsets = np.concatenate([[0], np.cumsum(sizes + 1)]).astype(np.int64)
    is_own = np.zeros(len(rows), dtype=bool)
    is_own[offsets[:-1]] = True
    rows[is_own] = np.arange(n_words)
    rows[~is_own] = n_words + compact
    owner = np.repeat(np.arange(n_words), sizes + 1)
    return offsets, rows[np.lexsort((rows, owner))], used  # each word's rows sorted


def sum_rows(matrix: np.ndarray, offsets: np.ndarray, rows: np.ndarray,
             batch: int = 1 << 18) -> np.ndarray:
    """Row ``i`` of the result is the sum of ``matrix[rows[offsets[i]:offsets[i + 1]]]``.

    Gathers about ``batch`` rows at a time, so the temporary copy stays small (100
    MB at dim 100) however many rows are summed; ``matrix`` may be a memory map of
    a multi-GB file.
    """
    n = len(offsets) - 1
    out = np.zeros((n, matrix.shape[1]), dtype=np.float32)
    first = 0
    while first < n:
        last = int(np.searchsorted(offsets, offsets[first] + batch, side="right")) - 1
        last = min(max(last, first + 1), n)
        some = np.flatnonzero(np.diff(offsets[first:last + 1]) > 0)
        lo = offsets[first]
        if len(some):
            out[first + some] = np.add.reduceat(matrix[rows[lo:offsets[last]]],
                                                offsets[first:last][some] - lo, axis=0)
        first = last
    return out


def compose_words(words: np.ndarray, ngrams: np.ndarray, offsets: np.ndarray,
                  rows: np.ndarray) -> np.ndarray:
    """Each word's vector: the mean of its own row ``words[i]`` and its n-grams' rows
    ``ngrams[rows[offsets[i]:offsets[i + 1]]]`` (fastText's ``getWordVector``)."""
    total = sum_rows(ngrams, offsets, rows)
    total += words
    total /= (np.diff(offsets) + 1).astype(np.float32)[:, None]
    return total


class Subwords:
    """The n-gram side of a subword model: what composes a vector for any word.

    words : float32 (n_words, dim), the words' own input rows (before the mean).
    ngrams : float32 (n_rows, dim), the rows of the buckets in ``used``.
    used : int64 (n_rows,), sorted bucket numbers, or None when every bucket has a
        row (``ngrams[b]`` is bucket ``b``, as in a fastText ``.bin``).
    minn, maxn, buckets : fastText's n-gram settings.

    A bucket without a row was never trained (no vocabulary word has an n-gram
    there), so it adds zero to a word's sum (fastText would add the random values
    it started with) and still counts in the mean: vectors equal those of the
    ``.bin`` we export, which holds zeros there.
    """

    def __init__(self, words, ngrams, used, minn: int, maxn: int, buckets: int):
        self.words, self.ngrams, self.used = words, ngrams, used
        self.minn, self.maxn, self.buckets = minn, maxn, buckets

    def rows_of(self, found: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For buckets ``found``: (whether each has a row, the rows of those that do)."""
        found = np.asarray(found, dtype=np.int64)
        if self.used is None:
            return np.ones(len(found), dtype=bool), found
        if len(self.used) == 0:
            return np.zeros(len(found), dtype=bool), found[:0]
        at = np.minimum(np.searchsorted(self.used, found), len(self.used) - 1)
        hit = self.used[at] == found
        return hit, at[hit]

    def _ngram_sum(self, found) -> tuple[np.ndarray, int]:
        """The sum of the rows of buckets ``found`` that have one, and how many do."""
        _, rows = self.rows_of(found)
        return self.ngrams[np.sort(rows)].sum(axis=0, dtype=np.float32), len(rows)

    def compose(self, word: str) -> np.ndarray | None:
        """fastText's vector for a word outside the vocabulary: the sum of its n-grams'
        rows over the number of its n-grams; None when none of them has a row."""
        found = ngram_buckets(word, self.minn, self.maxn, self.buckets)
        total, hits = self._ngram_sum(found)
        return total / np.float32(len(found)) if hits else None

    def vocab_vector(self, row: int, word: str) -> np.ndarray:
        """The vector of vocabulary word ``word`` at ``row``: the mean of its own row and
        its n-grams' rows (fastText's ``getWordVector``)."""
        found = [] if word == EOS else ngram_buckets(word, self.minn, self.maxn, self.buckets)
        total, hits = self._ngram_sum(found)
        return (self.words[row].astype(np.float32) + total) / np.float32(hits + 1)

    def pruned(self, vocab: list[str]) -> Subwords:
        """The same table with rows only for the buckets some word of ``vocab`` uses.

        The vocabulary's vectors do not change; an unseen word loses the rows no
        vocabulary word trains (in a fastText model, the random values they started
        with), so its vector is its trained n-grams' sum over its n-gram count.
        """
        _, found = vocab_buckets(vocab, self.minn, self.maxn, self.buckets)
        keep = np.unique(found)
        _, rows = self.rows_of(keep)
        return Subwords(self.words, np.asarray(self.ngrams[rows]), keep, self.minn,
                        self.maxn, self.buckets)

    def word_vectors(self, vocab: list[str]) -> np.ndarray:
        """Every vocabulary word's vector (what fastText's ``.vec`` holds)."""
        offsets, found = vocab_buckets(vocab, self.minn, self.maxn, self.buckets)
        hit, rows = self.rows_of(found)
        if not hit.all():
            raise ValueError("a vocabulary word has an n-gram without a row; the model's "
                             "files do not belong together")
        return compose_words(self.words, self.ngrams, offsets, rows)
