"""Phrases: collocations such as ``new york`` joined into one token ``new_york``.

Mikolov et al. 2013 ("Distributed Representations of Words and Phrases", section
4) and word2vec.c's word2phrase: a pair of adjacent words ``a b`` becomes one
token when its score passes a threshold. Scores, with counts over the current
text (``total`` tokens) and ``delta`` the phrase minimum count:

- ``word2vec``: ``(count(ab) - delta) / (count(a) count(b)) * total``, word2phrase's;
- ``npmi``: normalised pointwise mutual information, ``ln(p(ab) / (p(a) p(b))) /
  -ln p(ab)`` with ``p`` = count / total, in [-1, 1] (Bouma 2009).

Only candidates seen at least ``delta`` times are scored. With connector words
(``of``, ``the``...) a phrase may hold connectors between its first and last words
(``bank_of_america``); it is scored by the counts of the whole phrase and of its
first and last words, and the connectors themselves never start or end a phrase.
Each pass counts the candidates of the text as the previous pass left it and
joins left to right, so pass 2 can join ``new_york`` with ``times``.

Everything runs on the counting pass's scratch files (``vocab.count_and_spool``):
word ids, not text, so a pass costs a few NumPy and Numba sweeps, and memory is
bounded: the candidate table holds at most ``max_size`` entries, pruned like the
vocabulary while counting (the rarest go first; the number dropped is reported).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np

from . import _phrase_kernels as k
from .config import TrainConfig
from .embeddings import PHRASE_JOINER, PhraseTable
from .vocab import RawCounts

# English function words that may stand inside a phrase: "bank of america".
CONNECTORS = {"en": ("a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or",
                     "the", "to", "with", "without")}
CHUNK_TOKENS = 1 << 22
SPLIT_SORT = 1 << 16  # fewer candidate keys are sorted on one thread


@dataclass(frozen=True)
class PhraseSettings:
    """How to find phrases: ``passes`` over the text, the ``threshold`` a score must
    pass, ``min_count`` (delta), ``scoring`` and the ``connectors`` (words)."""

    passes: int = 1
    threshold: float = 100.0
    min_count: int = 5
    scoring: str = "word2vec"
    connectors: tuple[str, ...] = ()


def settings_of(config: TrainConfig) -> PhraseSettings:
    """The phrase settings of a run (``config.phrases`` passes)."""
    return PhraseSettings(config.phrases, config.phrase_threshold, config.phrase_min_count,
                          config.phrase_scoring, connector_words(config.connectors))


def connector_words(spec: str) -> tuple[str, ...]:
    """The connector words named by ``spec``: '' none, ``en``, or a file, one a line."""
    if not spec:
        return ()
    if spec in CONNECTORS:
        return CONNECTORS[spec]
    try:
        text = Path(spec).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"`connectors` {spec!r} is neither 'en' nor a readable word list "
                         f"({exc}); give 'en' or a UTF-8 file with one word a line") from None
    return tuple(dict.fromkeys(w.strip() for w in text.splitlines() if w.strip()))


@dataclass
class Stream:
    """Text as word ids on disk: ``path`` (int32), ``ends`` (int64, each sentence's
    end), the words and their counts in it, and ``index`` (word -> id)."""

    path: Path
    ends: np.ndarray
    words: list[str]
    counts: np.ndarray
    index: dict[str, int]

    @property
    def n_tokens(self) -> int:
        return int(self.ends[-1]) if len(self.ends) else 0

    def chunks(self) -> Iterator[tuple[np.ndarray, np.ndarray, int]]:
        """(ids, sentence ends relative to the chunk, first sentence) per ~CHUNK_TOKENS."""
        done_s, start = 0, 0
        while done_s < len(self.ends):
            last = max(int(np.searchsorted(self.ends, start + CHUNK_TOKENS, "right")), done_s + 1)
            stop = int(self.ends[last - 1])
            ids = np.fromfile(self.path, np.int32, stop - start, offset=4 * start)
            yield ids, self.ends[done_s:last] - start, done_s
            done_s, start = last, stop


def stream_from_counts(raw: RawCounts, workdir: Path, keep_pruned: bool) -> Stream:
    """The counting pass's provisional ids as a ``Stream``.

    Tokens of words pruned while counting have lost their word; they become one
    extra id, ``""``, that never joins a phrase (the ids are then rewritten to a new
    file; otherwise the counting pass's file is read as it is). ``keep_pruned``
    False refuses them.
    """
    if raw.pruned and not keep_pruned:
        raise ValueError(f"counting pruned {raw.pruned:,} rare words (more distinct words "
                         f"than `max_vocab_size`), so their text cannot be written back; "
                         f"raise `max_vocab_size`")
    n = 1 + max([*raw.index.values(), *raw.free], default=-1)
    words = [""] * (n + 1)
    for word, pid in raw.index.items():
        words[pid] = word
    counts = np.zeros(n + 1, dtype=np.int64)
    counts[:n] = raw.counts[:n]
    ends = np.fromfile(raw.ends_path, dtype=np.int64)
    if not raw.pruned:
        return Stream(raw.ids_path, ends, words, counts, dict(raw.index))
    path = workdir / "phrase_ids_0.i32"
    with open(path, "wb") as out:
        for start in range(0, raw.n_tokens, CHUNK_TOKENS):
            stop = min(start + CHUNK_TOKENS, raw.n_tokens)
            ids = np.fromfile(raw.ids_path, np.int32, stop - start, offset=4 * start)
            ids[raw.freed_at[ids] > np.arange(start, stop)] = n
            ids.tofile(out)
    return Stream(path, ends, words, counts, dict(raw.index))


def find_phrases(stream: Stream, settings: PhraseSettings, workdir: Path, max_size: int,
                 on_pass: Callable[[int, int], None] | None = None
                 ) -> tuple[Joined, PhraseTable]:
    """Run ``settings.passes`` passes; return the joined text and all phrases found.

    The last pass's joins are made as its result is read (``Joined``): written as
    text, they need not go to disk first. ``on_pass(pass, phrases)`` is called after
    each pass.
    """
    table, joined = PhraseTable(), None
    for number in range(1, settings.passes + 1):
        if joined is not None:
            stream = joined.saved(workdir / f"phrase_ids_{number - 1}.i32")
        joined, found = _one_pass(stream, settings, max_size)
        table = PhraseTable(table.phrases + found.phrases,
                            np.concatenate([table.scores, found.scores]),
                            np.concatenate([table.counts, found.counts]),
                            table.pruned + found.pruned)
        if on_pass is not None:
            on_pass(number, len(found))
    return joined, table


@dataclass
class _Codes:
    """Per word id, what it can be in a phrase (``_phrase_kernels``' ``code``); the
    radix and run limit of connector codes; dense id -> word id; connector words."""

    code: np.ndarray
    radix: int
    max_conn: int
    dense: np.ndarray
    connectors: list[str]  # connector number - 1 -> word


def _codes(stream: Stream, settings: PhraseSettings) -> _Codes:
    code = np.full(len(stream.words), k.NO_PHRASE, dtype=np.int32)
    eligible = stream.counts >= settings.min_count
    present = [w for w in settings.connectors if w in stream.index]
    eligible[[stream.index[w] for w in present]] = False
    dense = np.flatnonzero(eligible)
    if len(dense) >= k.WORD_LIMIT:
        raise ValueError(f"{len(dense):,} words occur `phrase_min_count` times, more than "
                         f"phrases can index ({k.WORD_LIMIT:,}); raise `phrase_min_count`")
    code[dense] = np.arange(len(dense))
    for number, word in enumerate(present, 1):
        code[stream.index[word]] = -1 - number
    radix = len(present) + 1
    max_conn = int(math.log(k.MID_LIMIT - 1, radix)) if radix > 1 else 0
    return _Codes(code, radix, max_conn, dense, present)


def _one_pass(stream: Stream, settings: PhraseSettings,
              max_size: int) -> tuple[Joined, PhraseTable]:
    codes = _codes(stream, settings)
    keys, counts, pruned = _count_candidates(stream, codes, max_size)
    keep = counts >= settings.min_count
    keys, counts = keys[keep], counts[keep]
    first = codes.dense[keys >> k.FIRST_SHIFT]
    last = codes.dense[keys & (k.WORD_LIMIT - 1)]
    scores = score(stream.counts[first], stream.counts[last], counts, stream.n_tokens,
                   settings.min_count, settings.scoring)
    chosen = scores > settings.threshold
    keys, counts, scores, first, last = (a[chosen] for a in (keys, counts, scores, first, last))
    mids = (keys >> k.MID_SHIFT) & (k.MID_LIMIT - 1)
    names = [PHRASE_JOINER.join([stream.words[a], *_decode(int(m), codes), stream.words[b]])
             for a, m, b in zip(first.tolist(), mids.tolist(), last.tolist())]
    joined = Joined(stream, codes, keys, _phrase_ids(stream, names))
    order = sorted(range(len(names)), key=lambda i: (-scores[i], names[i]))
    found = PhraseTable([names[i] for i in order], scores[order], counts[order], pruned)
    return joined, found


def score(count_a, count_b, count_ab, total: int, min_count: int, scoring: str) -> np.ndarray:
    """Scores of candidates from their counts (float64 arrays); see the module doc."""
    a, b, ab = (np.asarray(x, dtype=np.float64) for x in (count_a, count_b, count_ab))
    if scoring == "npmi":
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.log(ab * total / (a * b)) / -np.log(ab / total)
        return np.where(ab >= total, 1.0, value)  # a pair that is the whole text
    return (ab - min_count) / (a * b) * total


def _decode(mid: int, codes: _Codes) -> list[str]:
    """The connector words packed in ``mid``, in text order."""
    words = []
    while mid:
        mid, digit = divmod(mid, codes.radix)
        words.append(codes.connectors[digit - 1])
    return words[::-1]


def _count_candidates(stream: Stream, codes: _Codes,
                      max_size: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Every candidate's key and count (sorted by key), and how many entries were pruned."""
    keys, counts = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    pruned, min_reduce = 0, 1
    for ids, ends, _ in stream.chunks():
        found = np.empty(len(ids), dtype=np.int64)
        n = k.candidate_keys(ids, ends, codes.code, codes.radix, codes.max_conn, found,
                             numba.get_num_threads())
        found, cut = _sorted_halves(found[:n])
        keys, counts = k.merge_counts(keys, counts, found, cut)
        while len(keys) > max_size:  # as the vocabulary counter prunes: rarest first
            keep = counts > min_reduce
            pruned += int(len(keep) - keep.sum())
            keys, counts, min_reduce = keys[keep], counts[keep], min_reduce + 1
    return keys, counts, pruned


def _sorted_halves(keys: np.ndarray) -> tuple[np.ndarray, int]:
    """``keys`` with ``keys[:cut]`` and ``keys[cut:]`` each sorted in place, and ``cut``.

    With several threads the halves are sorted at once (NumPy's sort lets go of the
    GIL): 0.12 s against 0.23 s for 4M keys, about a tenth of a 20M-token run's time.
    """
    if numba.get_num_threads() < 2 or len(keys) < SPLIT_SORT:
        keys.sort()
        return keys, len(keys)
    cut = len(keys) // 2
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(np.ndarray.sort, (keys[:cut], keys[cut:])))
    return keys, cut


def _phrase_ids(stream: Stream, names: list[str]) -> np.ndarray:
    """Word ids for the new phrases, added to ``stream``'s words (a phrase spelled like
    a word already in the text, such as ``new_york`` written so, shares its id)."""
    ids = np.empty(len(names), dtype=np.int32)
    for i, name in enumerate(names):
        found = stream.index.get(name)
        if found is None:
            found = stream.index[name] = len(stream.words)
            stream.words.append(name)
        ids[i] = found
    return ids


class Joined:
    """A stream with one pass's phrases joined as it is read (``chunks``), or saved
    (``saved``); ``n_tokens`` is known once it has been read through."""

    def __init__(self, source: Stream, codes: _Codes, keys: np.ndarray, ids: np.ndarray):
        self.source, self.keys, self.ids, self.codes = source, keys, ids, codes
        self.words, self.index = source.words, source.index
        pad = len(self.words) - len(codes.code)  # new phrases neither connect nor join
        self.code = np.concatenate([codes.code, np.full(pad, k.NO_PHRASE, dtype=np.int32)])
        self.can_start = np.zeros(max(len(codes.dense), 1), dtype=np.bool_)
        self.can_start[keys >> k.FIRST_SHIFT] = True
        self.n_tokens = None

    def chunks(self) -> Iterator[tuple[np.ndarray, np.ndarray, int]]:
        """As ``Stream.chunks``, with each phrase as one token."""
        written = 0
        for chunk, chunk_ends, first_s in self.source.chunks():
            out = np.empty(len(chunk), dtype=np.int32)
            out_ends = np.empty(len(chunk_ends), dtype=np.int64)
            n = k.join_phrases(chunk, chunk_ends, self.code, self.codes.radix,
                               self.codes.max_conn, (self.keys, self.ids, self.can_start),
                               out, out_ends, numba.get_num_threads())
            written += n
            yield out[:n], out_ends, first_s
        self.n_tokens = written

    def saved(self, path: Path) -> Stream:
        """The joined stream written to ``path``, with its words' counts."""
        counts = np.zeros(len(self.words), dtype=np.int64)
        ends, written = np.empty(len(self.source.ends), dtype=np.int64), 0
        with open(path, "wb") as f:
            for out, out_ends, first_s in self.chunks():
                out.tofile(f)
                counts += np.bincount(out, minlength=len(counts))
                ends[first_s:first_s + len(out_ends)] = written + out_ends
                written += len(out)
        return Stream(path, ends, self.words, counts, self.index)


def write_text(stream: Stream | Joined, out) -> None:
    """Write the stream as text to the binary file ``out``: a sentence a line."""
    encoded = [w.encode("utf-8") for w in stream.words]
    starts = np.zeros(len(encoded) + 1, dtype=np.int64)
    starts[1:] = np.cumsum([len(b) for b in encoded])
    blob = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    sizes = np.diff(starts)
    for ids, ends, _ in stream.chunks():
        buf = np.empty(int(sizes[ids].sum()) + len(ids), dtype=np.uint8)
        n = k.render(ids, ends, blob, starts, buf, numba.get_num_threads())
        out.write(buf[:n].tobytes())


def to_counts(joined: Joined, raw: RawCounts, workdir: Path) -> RawCounts:
    """The joined stream as the counting pass's result, for ``build_vocab`` and ``encode``.

    The pruned-word id (``""``) is left out of the index, so ``encode`` drops its tokens.
    """
    stream = joined.saved(workdir / "phrased_ids.i32")
    ends_path = workdir / "phrased_ends.i64"
    stream.ends.tofile(ends_path)
    index = {w: i for w, i in stream.index.items() if w}
    return RawCounts(index, stream.counts, stream.path, ends_path, stream.n_tokens,
                     len(stream.ends), raw.pruned, raw.min_reduce,
                     np.zeros(len(stream.counts), dtype=np.int64))
