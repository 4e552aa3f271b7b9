"""Vocabulary: counting, pruning, deterministic ids, encoding, sampling tables.

One streaming pass over the sentences counts words *and* writes each token as a
provisional id (order of first sight) to a scratch file, so the text is
tokenized once and stdin works. After counting, the vocabulary is fixed
(``min_count``, ``max_vocab``; ids by count descending, ties by word) and a
cheap NumPy pass rewrites the provisional ids as final int32 ids, dropping
out-of-vocabulary tokens, with int64 sentence offsets.

Memory while counting is bounded by ``max_vocab_size`` dictionary entries: past
it, entries seen fewer than ``min_reduce`` times are dropped and ``min_reduce``
grows, as word2vec.c's ``ReduceVocab`` does. A dropped word that comes back
starts counting from zero, and its earlier occurrences are not trained on.
Dropped words' provisional ids are reused, so there are at most
``max_vocab_size`` plus one flush (``FLUSH_TOKENS``) of them, 16 bytes each: the
count, and the position of the last prune that freed the id, which tells the
encoder that a reused id's earlier tokens belonged to a dropped word.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import compress, repeat
from pathlib import Path

import numpy as np

from . import _count_kernels as ck
from .corpus import MAX_SENTENCE_LEN, tokenize

NOISE_POWER = 0.75
FLUSH_TOKENS = 1 << 20


@dataclass
class RawCounts:
    """Result of the counting pass: live words, counts and the scratch files."""

    index: dict[str, int]  # word -> provisional id, for words still counted
    counts: np.ndarray  # int64, indexed by provisional id
    ids_path: Path  # int32 provisional ids, every token in corpus order
    ends_path: Path  # int64 token position where each sentence ends
    n_tokens: int
    n_sentences: int
    pruned: int = 0  # dictionary entries dropped to respect max_vocab_size
    min_reduce: int = 1
    # int64 per provisional id: tokens before this position that carry the id belong
    # to a word pruned there (the id was freed and may now name another word)
    freed_at: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    free: list[int] = field(default_factory=list)  # provisional ids free for reuse


class _Spool:
    """Append-only typed array that flushes to a file when it grows large."""

    def __init__(self, path: Path, typecode: str):
        self.path, self.buf = path, array(typecode)
        self.file = open(path, "wb")
        self.total = 0

    def flush(self) -> None:
        self.buf.tofile(self.file)
        self.total += len(self.buf)
        del self.buf[:]

    def close(self) -> None:
        self.flush()
        self.file.close()


def count_and_spool(sentences: Iterable[list[str]], workdir: Path,
                    max_vocab_size: int) -> RawCounts:
    """Count words and write provisional ids in one pass over ``sentences``."""
    raw = RawCounts({}, np.zeros(0, dtype=np.int64), workdir / "raw_ids.i32",
                    workdir / "raw_ends.i64", 0, 0)
    ids, ends = _Spool(raw.ids_path, "i"), _Spool(raw.ends_path, "q")
    next_id = 0
    try:
        for tokens in sentences:
            found = list(map(raw.index.get, tokens))
            if None in found:
                next_id = _add_new(tokens, found, raw.index, next_id, raw.free)
            ids.buf.extend(found)
            raw.n_tokens += len(tokens)
            ends.buf.append(raw.n_tokens)
            if len(ids.buf) >= FLUSH_TOKENS:
                _flush_counts(raw, ids, next_id)
                if len(raw.index) > max_vocab_size:
                    prune(raw, max_vocab_size)
            if len(ends.buf) >= FLUSH_TOKENS:
                ends.flush()
        _flush_counts(raw, ids, next_id)
    finally:
        ids.close()
        ends.close()
    raw.n_sentences = ends.total
    return raw


def count_and_spool_bytes(chunks: Iterable[tuple[bytes, bool]], workdir: Path,
                          max_vocab_size: int) -> RawCounts:
    """``count_and_spool`` for whitespace-separated words, counted by Numba kernels
    from UTF-8 chunks of lines (``corpus.iter_line_bytes``); about 8 times faster.

    The same words, counts, sentences and pruning rule; the provisional ids may be
    numbered differently after a prune (freed ids are reused in another order),
    which no later step depends on.
    """
    raw = RawCounts({}, np.zeros(0, dtype=np.int64), workdir / "raw_ids.i32",
                    workdir / "raw_ends.i64", 0, 0)
    table = _grown(None, 1 << 16, 1 << 20, 1 << 17)
    raw.freed_at = np.zeros(len(table.counts), dtype=np.int64)
    with open(raw.ids_path, "wb") as ids_file, open(raw.ends_path, "wb") as ends_file:
        for data, ends_line in chunks:
            text = np.frombuffer(data, dtype=np.uint8)
            table = _room_for(table, raw, len(text))
            ids = np.empty(len(text) // 2 + 1, dtype=np.int32)
            ends = np.empty(len(text) // 2 + 2, dtype=np.int64)
            n_ids, n_ends = ck.count_words(text, ends_line, table, ids, ends, raw.n_tokens)
            ids[:n_ids].tofile(ids_file)
            ends[:n_ends].tofile(ends_file)
            raw.n_tokens += int(n_ids)
            raw.n_sentences += int(n_ends)
            if table.state[ck.N_LIVE] > max_vocab_size:
                table = _prune_table(table, raw, max_vocab_size)
    words, live = _read_table(table, raw)
    del table
    raw.index = dict(zip(words.decode("utf-8").split("\n")[:-1], live))  # no word holds \n
    return raw


def default_words(data: bytes, lowercase: bool = True) -> bytes:
    """The default tokenizer's words of each line of ``data`` (UTF-8), as lines of
    words split by single spaces: what ``corpus.tokenize`` gives, in the form the
    whitespace counting kernel reads. A kernel does the lines whose characters NFKC
    leaves alone (``_count_kernels.char_kind``: most lines of English text), and
    ``tokenize`` the others."""
    out, n, odd = _word_lines(data, lowercase)
    if len(odd) == 0:
        return out[:n].tobytes()
    parts, done = [], 0
    for start, stop, at in odd.tolist():
        line = data[start:stop].decode("utf-8")
        parts += [out[done:at].tobytes(), " ".join(tokenize(line, "default", lowercase)).encode()]
        done = at
    parts.append(out[done:n].tobytes())
    return b"".join(parts)


def kernel_share(data: bytes) -> float:
    """The share of ``data``'s bytes (UTF-8 lines) that ``default_words`` splits in
    its kernel rather than with ``tokenize``."""
    odd = _word_lines(data, True)[2]
    return 1.0 - float((odd[:, 1] - odd[:, 0]).sum()) / max(len(data), 1)


def _word_lines(data: bytes, lowercase: bool) -> tuple[np.ndarray, int, np.ndarray]:
    """``_count_kernels.word_lines`` on ``data``: its output buffer, the bytes written
    there, and the lines it left (input start, input end, place in the output; one
    row each)."""
    text = np.frombuffer(data, dtype=np.uint8)
    out = np.empty(len(text), dtype=np.uint8)
    # an odd line holds a character of 2 or more bytes and ends with a newline (but
    # the last): at most len / 3 + 1 of them; untouched pages of np.empty cost nothing
    odd = np.empty(len(text) + 3, dtype=np.int64)
    n, k = ck.word_lines(text, lowercase, out, odd)
    return out, int(n), odd[:3 * k].reshape(-1, 3)


def count_ids(batches: Iterable[tuple[np.ndarray, np.ndarray]], workdir: Path,
              max_vocab_size: int) -> RawCounts:
    """``count_and_spool`` for integer ids, in NumPy: about 4 times faster on lists.

    ``batches``: (ids int64, sequence lengths) pairs (``sequences.id_batches``).
    Each batch is reduced to its sorted distinct ids (spooled) and each token to
    its position among them (spooled, int32); the counts are merged into sorted
    keys, of which past ``max_vocab_size`` the rarest are dropped as for words. At
    the end each batch's distinct ids are found among the keys (sorted queries:
    fast), which turns the positions into provisional ids. One difference from the
    words' counter: an id dropped there that comes back and reaches min count is
    trained in all its occurrences, not only those after the drop.
    """
    raw = RawCounts({}, np.zeros(0, dtype=np.int64), workdir / "raw_ids.i32",
                    workdir / "raw_ends.i64", 0, 0)
    keys, counts, spans = np.zeros(0, np.int64), np.zeros(0, np.int64), []
    local, distinct = workdir / "local.i32", workdir / "distinct.i64"
    with open(local, "wb") as local_file, open(distinct, "wb") as distinct_file, \
            open(raw.ends_path, "wb") as ends_file:
        for ids, lengths in batches:
            found, where, seen = np.unique(ids, return_inverse=True, return_counts=True)
            where.astype(np.int32).tofile(local_file)
            found.tofile(distinct_file)
            spans.append((len(ids), len(found)))
            (raw.n_tokens + np.cumsum(lengths)).tofile(ends_file)
            raw.n_tokens += len(ids)
            raw.n_sentences += len(lengths)
            keys, counts = _merged_counts(keys, counts, found, seen)
            while len(keys) > max_vocab_size:
                kept = counts > raw.min_reduce
                raw.pruned += int((~kept).sum())
                keys, counts = keys[kept], counts[kept]
                raw.min_reduce += 1
    _provisional_ids(keys, spans, (local, distinct), raw.ids_path)
    raw.index = dict(zip(keys.tolist(), range(len(keys))))
    raw.counts = np.append(counts, 0)  # the last id names every dropped one
    raw.freed_at = np.zeros(len(raw.counts), dtype=np.int64)
    return raw


def _provisional_ids(keys: np.ndarray, spans: list, spools: tuple[Path, Path],
                     out: Path) -> None:
    """Write each token's position among ``keys`` (``len(keys)`` when dropped), from
    the batches' positions among their distinct ids; remove the spools."""
    local, distinct = spools
    done = [0, 0]
    with open(out, "wb") as f:
        for n_tokens, n_found in spans:
            found = np.fromfile(distinct, np.int64, n_found, offset=8 * done[1])
            pos = np.minimum(np.searchsorted(keys, found), max(len(keys) - 1, 0))
            hit = keys[pos] == found if len(keys) else np.zeros(n_found, dtype=bool)
            ids = np.where(hit, pos, len(keys)).astype(np.int32)
            ids[np.fromfile(local, np.int32, n_tokens, offset=4 * done[0])].tofile(f)
            done = [done[0] + n_tokens, done[1] + n_found]
    local.unlink()
    distinct.unlink()


def _merged_counts(keys, counts, more_keys, more_counts):
    """Sorted keys with their counts summed, from two sorted, duplicate-free pairs."""
    if len(keys) == 0:
        return more_keys, more_counts
    merged, where = np.unique(np.concatenate([keys, more_keys]), return_inverse=True)
    return merged, np.bincount(where, np.concatenate([counts, more_counts]),
                               len(merged)).astype(np.int64)


def _grown(table, n_ids: int, n_bytes: int, n_slots: int):
    """``table`` (or a new one) with room for ``n_ids`` ids, ``n_bytes`` bytes of words
    and ``n_slots`` slots (rehashed when they change)."""
    if table is None:
        table = ck.Table(np.full(n_slots, -1, np.int64), np.zeros(n_ids, np.uint64),
                         np.zeros(n_ids, np.int64), np.zeros(n_ids, np.int64),
                         np.zeros(n_bytes, np.uint8), np.zeros(n_ids, np.int64),
                         np.zeros(n_ids, np.int64), np.zeros(5, np.int64))
    grow = {}
    if n_ids > len(table.counts):
        for name in ("hashes", "starts", "lengths", "counts", "free"):
            old = getattr(table, name)
            grow[name] = np.zeros(n_ids, dtype=old.dtype)
            grow[name][:len(old)] = old
    if n_bytes > len(table.arena):
        grow["arena"] = np.zeros(n_bytes, np.uint8)
        grow["arena"][:len(table.arena)] = table.arena
    table = table._replace(**grow)
    if n_slots != len(table.slots):
        slots = np.full(n_slots, -1, np.int64)
        ck.fill_slots(slots, table.hashes, _live_ids(table))
        table = table._replace(slots=slots)
    return table


def _room_for(table, raw: RawCounts, n_bytes: int):
    """Grow ``table`` (and ``raw.freed_at``) so that ``n_bytes`` more text fits: at most
    one new word per two bytes, the table at most half full."""
    state = table.state
    new_words = n_bytes // 2 + 2
    ids = _room(len(table.counts), int(state[ck.N_IDS]) + new_words)
    arena = _room(len(table.arena), int(state[ck.ARENA_USED]) + n_bytes)
    slots = len(table.slots)
    while slots < 2 * (state[ck.N_LIVE] + new_words):
        slots *= 2
    table = _grown(table, ids, arena, slots)
    if len(raw.freed_at) < len(table.counts):
        raw.freed_at.resize(len(table.counts), refcheck=False)
    return table


def _room(have: int, need: int) -> int:
    """``have`` if it is enough, else twice ``need`` (so growth is rare)."""
    return have if need <= have else 2 * need


def _live_ids(table) -> np.ndarray:
    n_ids, n_free = int(table.state[ck.N_IDS]), int(table.state[ck.N_FREE])
    live = np.ones(n_ids, dtype=bool)
    live[table.free[:n_free]] = False
    return np.flatnonzero(live)


def _prune_table(table, raw: RawCounts, max_vocab_size: int):
    """``_prune`` for the kernels' table: free the rarest ids until at most
    ``max_vocab_size`` are live, then rebuild the slots and pack the words' bytes."""
    state = table.state
    while state[ck.N_LIVE] > max_vocab_size:
        live = _live_ids(table)
        rare = live[table.counts[live] <= raw.min_reduce]
        table.counts[rare] = 0
        raw.freed_at[rare] = raw.n_tokens  # every token so far has been written out
        n_free = int(state[ck.N_FREE])
        table.free[n_free:n_free + len(rare)] = rare
        state[ck.N_FREE] += len(rare)
        state[ck.N_LIVE] -= len(rare)
        raw.pruned += len(rare)
        raw.min_reduce += 1
    live = _live_ids(table)
    words, packed = _packed_words(table, live, 0)
    arena = np.zeros(len(table.arena), np.uint8)
    arena[:len(words)] = words
    table.starts[live] = packed
    state[ck.ARENA_USED] = len(words)
    slots = np.full(len(table.slots), -1, np.int64)
    ck.fill_slots(slots, table.hashes, live)
    return table._replace(arena=arena, slots=slots)


def _packed_words(table, ids: np.ndarray, gap: int) -> tuple[np.ndarray, np.ndarray]:
    """The bytes of words ``ids`` one after another, each followed by ``gap`` newline
    bytes, and where each starts."""
    lengths = table.lengths[ids]
    starts = np.concatenate([[0], np.cumsum(lengths + gap)])
    within = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    words = np.full(starts[-1], 10, dtype=np.uint8)
    words[np.repeat(starts[:-1], lengths) + within] = \
        table.arena[np.repeat(table.starts[ids], lengths) + within]
    return words, starts[:-1]


def _read_table(table, raw: RawCounts) -> tuple[bytes, list[int]]:
    """Fill ``raw``'s counts and free ids from the kernels' table; return its words
    (each followed by a newline) and their ids, for the index, which the caller makes
    once it has let go of the table (it holds tens of MB of arrays)."""
    n_ids = int(table.state[ck.N_IDS])
    live = _live_ids(table)
    raw.counts = table.counts[:n_ids].copy()
    raw.freed_at = raw.freed_at[:n_ids].copy()
    raw.free = table.free[:int(table.state[ck.N_FREE])].tolist()
    return _packed_words(table, live, 1)[0].tobytes(), live.tolist()


def _add_new(tokens: list[str], found: list, index: dict[str, int], next_id: int,
             free: list[int]) -> int:
    """Give unseen tokens freed or else the next provisional ids, filling ``found`` in place."""
    for i, token in enumerate(tokens):
        if found[i] is None:
            pid = index.get(token)
            if pid is None:
                if free:
                    pid = index[token] = free.pop()
                else:
                    pid = index[token] = next_id
                    next_id += 1
            found[i] = pid
    return next_id


def _flush_counts(raw: RawCounts, ids: _Spool, next_id: int) -> None:
    """Add the buffered ids to the counts, then write them out.

    The counts grow in place (realloc, spare room for one more flush of new words)
    and are incremented with ``np.add.at``: a ``bincount`` would allocate a second
    array as long as every word ever seen at each flush.
    """
    if next_id > len(raw.counts):
        raw.counts.resize(next_id + FLUSH_TOKENS, refcheck=False)
        raw.freed_at.resize(len(raw.counts), refcheck=False)
    np.add.at(raw.counts, np.frombuffer(ids.buf, dtype=np.int32), 1)
    ids.flush()


def merge_part(raw: RawCounts, words: list[str], mapping: np.ndarray, todo, local: np.ndarray,
               lines: np.ndarray, spools: tuple, max_vocab_size: int) -> None:
    """Add a part of the corpus counted in a worker (``parallel_count``) to ``raw``.

    ``local``: each token as an index into ``words``; ``mapping``: int32, each of
    ``words``' provisional id, -1 where it has none yet; ``todo``: the indices of
    those, in order of first sight in the part. They are looked up again (another
    part may have added the word), else take freed or else the next provisional ids
    in that order, as ``count_and_spool`` gives them; ``mapping`` is updated in
    place. ``lines``: each line's token count. The ids and sentence ends (lines cut at
    ``MAX_SENTENCE_LEN``, empty lines dropped) go to ``spools`` (the ids and ends
    files). Then the rarest words are pruned past ``max_vocab_size``.
    """
    index, free = raw.index, raw.free
    next_id = len(index) + len(free)  # every id given out is live or free
    for k in todo:
        pid = index.get(words[k], -1)
        if pid < 0:
            if free:
                pid = free.pop()
            else:
                pid, next_id = next_id, next_id + 1
            index[words[k]] = pid
        mapping[k] = pid
    if next_id > len(raw.counts):
        raw.counts.resize(next_id + FLUSH_TOKENS, refcheck=False)
        raw.freed_at.resize(len(raw.counts), refcheck=False)
    seen = np.bincount(local, minlength=len(mapping))
    used = np.flatnonzero(seen)  # the part's words: distinct ids, so += adds each once
    raw.counts[mapping[used]] += seen[used]
    mapping[local].tofile(spools[0])
    lines = lines[lines > 0]
    ends = cut_sequences(np.concatenate([[0], np.cumsum(lines)]), MAX_SENTENCE_LEN)[1:]
    (raw.n_tokens + ends).tofile(spools[1])
    raw.n_tokens += len(local)
    raw.n_sentences += len(ends)
    if len(index) > max_vocab_size:
        prune(raw, max_vocab_size)


def prune(raw: RawCounts, max_vocab_size: int) -> None:
    """Drop the rarest dictionary entries until at most ``max_vocab_size`` remain."""
    while len(raw.index) > max_vocab_size:
        rare = [w for w, pid in raw.index.items() if raw.counts[pid] <= raw.min_reduce]
        for word in rare:
            pid = raw.index.pop(word)
            raw.counts[pid] = 0
            raw.freed_at[pid] = raw.n_tokens  # every token so far has been written out
            raw.free.append(pid)
        raw.pruned += len(rare)
        raw.min_reduce += 1


@dataclass
class Vocab:
    """Words in id order (count descending, ties by word) with their counts."""

    words: list[str]
    counts: np.ndarray  # int64, shape (n_words,)

    @cached_property
    def index(self) -> dict[str, int]:
        """Word -> id, built on first use: training needs none (34 MB at 446k ids)."""
        return {w: i for i, w in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    @classmethod
    def from_counts(cls, counts: dict[str, int], min_count: int, max_vocab: int = 0) -> Vocab:
        """Keep words seen at least ``min_count`` times, the ``max_vocab`` most frequent.

        >>> Vocab.from_counts({"b": 2, "a": 2, "c": 3, "d": 1}, min_count=2).words
        ['c', 'a', 'b']
        """
        kept = sorted((w for w, c in counts.items() if c >= min_count),
                      key=lambda w: (-counts[w], w))
        if max_vocab:
            kept = kept[:max_vocab]
        return cls(kept, np.array([counts[w] for w in kept], dtype=np.int64))

    def compacted(self) -> Vocab:
        """The vocabulary with its words allocated afresh; empties this one.

        The kept words were allocated among the millions of strings the counting pass
        has just freed, and Python's small-object allocator can only give a memory
        arena back when nothing in it lives. Joining the words into one string,
        dropping them, then splitting, packs them together again: 14 MB less peak
        memory on 20M tokens of English. Tokens never contain a newline. Integer ids
        are small objects that need no packing: they are moved as they are.
        """
        if self.words and not isinstance(self.words[0], str):
            return Vocab(self.words, self.counts)
        text, counts = "\n".join(self.words), self.counts
        self.words.clear()
        self.__dict__.pop("index", None)
        return Vocab(text.split("\n"), counts)

    def keep_thresholds(self, sample: float) -> np.ndarray:
        """Subsampling keep-probabilities as 32-bit integer thresholds (int64 array).

        word2vec.c's formula (Mikolov et al. 2013, section 2.3, as implemented):
        keep a word of corpus frequency f with probability (sqrt(f/t) + 1) * t/f,
        capped at 1. A token is kept when a uniform 32-bit draw is below its threshold.
        """
        if sample <= 0:
            prob = np.ones(len(self), dtype=np.float64)
        else:
            freq = self.counts / self.counts.sum()
            prob = np.minimum((np.sqrt(freq / sample) + 1.0) * sample / freq, 1.0)
        return np.floor(prob * 2.0**32).astype(np.int64)

    def noise_distribution(self, power: float = NOISE_POWER) -> np.ndarray:
        """Probability of each word as a noise word: count**power, normalised (float64).

        0.75 is word2vec.c's; 0 draws uniformly, 1 by count, and a negative power
        favours rare words (Caselles-Dupré et al. 2018 tune it for recommendation).
        """
        weights = self.counts.astype(np.float64) ** power
        return weights / weights.sum()

    def noise_table(self, power: float = NOISE_POWER) -> np.ndarray:
        """Alias table for drawing noise words with probability proportional to count**power.

        Walker's alias method (Vose's construction): bucket i, picked uniformly, holds
        word i with probability ``accept[i] / 2**32`` and word ``alias[i]`` otherwise.
        Exact, and 8 bytes a word, so it stays in cache where word2vec.c's 1e8-slot
        table cannot. Packed as int64: ``alias << 32 | accept`` (accept < 2**32).
        Mikolov et al. 2013, section 2.2.
        """
        accept, alias = _alias_buckets(self.noise_distribution(power) * len(self))
        accept = np.minimum(np.round(accept * 2.0**32), 2.0**32 - 1).astype(np.int64)
        return (alias.astype(np.int64) << 32) | accept


def _alias_buckets(scaled: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vose's alias construction for probabilities scaled to mean 1."""
    n = len(scaled)
    accept, alias = np.ones(n), np.arange(n)
    scaled = scaled.tolist()
    small = [i for i, p in enumerate(scaled) if p < 1.0]
    large = [i for i, p in enumerate(scaled) if p >= 1.0]
    while small and large:
        lo, hi = small.pop(), large[-1]
        accept[lo], alias[lo] = scaled[lo], hi
        scaled[hi] -= 1.0 - scaled[lo]
        if scaled[hi] < 1.0:
            small.append(large.pop())
    return accept, alias  # leftovers (rounding) keep accept 1, alias themselves


def build_vocab(raw: RawCounts, min_count: int, max_vocab: int = 0,
                base: Vocab | None = None) -> Vocab:
    """Fix the vocabulary from the counting pass.

    With ``base`` (continued training) all its words stay and their counts grow by
    the new ones; new words seen ``min_count`` times join them (``max_vocab`` then
    limits how many are added). Ids are renumbered so that they stay in count order,
    which the threads' hot rows and ``restrict_vocab`` rely on; ties keep the base's
    order, then the new words'.
    """
    pids = np.fromiter(raw.index.values(), dtype=np.int64, count=len(raw.index))
    seen = raw.counts[pids]
    kept = np.ones(len(pids), dtype=bool) if base is not None else seen >= min_count
    counts = dict(zip(compress(raw.index, kept.tolist()), seen[kept].tolist()))
    if base is None:
        return Vocab.from_counts(counts, min_count, max_vocab)
    merged = base.counts + np.array([counts.get(w, 0) for w in base.words], dtype=np.int64)
    new = Vocab.from_counts({w: c for w, c in counts.items() if w not in base.index},
                            min_count, max_vocab)
    words, merged = base.words + new.words, np.concatenate([merged, new.counts])
    order = np.argsort(-merged, kind="stable")
    return Vocab([words[i] for i in order], merged[order])


def encode(raw: RawCounts, vocab: Vocab, workdir: Path, chunk: int = FLUSH_TOKENS,
           on_tokens: Callable[[int], None] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Rewrite provisional ids as vocabulary ids; return (ids, sentence offsets).

    ids: int32 memmap of the in-vocabulary tokens in corpus order. offsets: int64
    array, sentence s is ``ids[offsets[s]:offsets[s + 1]]``; sentences left empty
    are dropped. Works in chunks, so memory does not grow with the corpus;
    ``on_tokens`` gets the number of tokens done in each chunk.
    """
    to_final = np.full(len(raw.counts), -1, dtype=np.int32)
    counted = np.fromiter(map(raw.index.get, vocab.words, repeat(-1)), dtype=np.int64,
                          count=len(vocab))
    present = counted >= 0  # a resumed model's words need not occur in new text
    to_final[counted[present]] = np.flatnonzero(present)
    ends = _BlockReader(raw.ends_path, np.int64, chunk)
    offsets = np.zeros(ends.n + 1, dtype=np.int64)  # at most one per sentence; trimmed below
    n_kept, n_offsets = 0, 1
    ids_path = workdir / "ids.i32"
    with open(ids_path, "wb") as out:
        for start in range(0, raw.n_tokens, chunk):
            stop = min(start + chunk, raw.n_tokens)
            # Read, not memory-mapped: mapped pages would stay in the resident set.
            pids = np.fromfile(raw.ids_path, np.int32, stop - start, offset=4 * start)
            final = to_final[pids]
            if raw.pruned:  # tokens before an id was freed belong to the word pruned then
                final[raw.freed_at[pids] > np.arange(start, stop)] = -1
            kept = final >= 0
            final[kept].tofile(out)
            before = np.concatenate([np.zeros(1, np.int32), np.cumsum(kept, dtype=np.int32)])
            found = before[ends.upto(stop) - start].astype(np.int64) + n_kept  # sorted
            found = found[np.diff(found, prepend=offsets[n_offsets - 1]) > 0]  # drop empties
            offsets[n_offsets:n_offsets + len(found)] = found
            n_kept, n_offsets = n_kept + int(before[-1]), n_offsets + len(found)
            if on_tokens is not None:
                on_tokens(stop - start)
    offsets.resize(n_offsets, refcheck=False)
    return _read_array(ids_path, np.int32, n_kept), offsets


class _BlockReader:
    """A sorted array in a raw binary file, read front to back ``block`` items at a time
    (in memory, only the block being read: a corpus has one sentence end per line)."""

    def __init__(self, path: Path, dtype, block: int):
        self.path, self.dtype, self.block = path, np.dtype(dtype), block
        self.n = os.path.getsize(path) // self.dtype.itemsize
        self.buf, self.read = np.zeros(0, dtype=dtype), 0

    def upto(self, limit) -> np.ndarray:
        """The next items that are at most ``limit``."""
        taken = []
        while True:
            k = int(np.searchsorted(self.buf, limit, side="right"))
            taken.append(self.buf[:k])
            self.buf = self.buf[k:]
            if len(self.buf) or self.read == self.n:
                return np.concatenate(taken)
            count = min(self.block, self.n - self.read)
            self.buf = np.fromfile(self.path, self.dtype, count,
                                   offset=self.read * self.dtype.itemsize)
            self.read += count


def cut_sequences(offsets: np.ndarray, longest: int) -> np.ndarray:
    """Sentence offsets with every sentence longer than ``longest`` cut into pieces of
    ``longest`` (the last piece shorter).

    >>> cut_sequences(np.array([0, 2, 7]), 2).tolist()
    [0, 2, 4, 6, 7]
    """
    lengths = np.diff(offsets)
    if len(lengths) == 0 or lengths.max() <= longest:
        return offsets
    pieces = -(-lengths // longest)  # ceil
    first = np.repeat(offsets[:-1], pieces)
    within = np.arange(int(pieces.sum())) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    return np.append(first + within * longest, offsets[-1]).astype(np.int64)


def read_ids(ids: np.ndarray, start: int, stop: int) -> np.ndarray:
    """``ids[start:stop]`` (from ``encode``) as an in-memory int32 array; a memmap is
    read, not mapped, so the pages of a large corpus do not pile up in the resident set."""
    if isinstance(ids, np.memmap):
        return np.fromfile(ids.filename, dtype=np.int32, count=stop - start,
                           offset=start * ids.itemsize + ids.offset)
    return np.ascontiguousarray(ids[start:stop], dtype=np.int32)


def _read_array(path: Path, dtype, n: int) -> np.ndarray:
    """Memory-map n items of a raw binary file (an empty array when n is 0)."""
    if n == 0:
        return np.zeros(0, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r", shape=(n,))
