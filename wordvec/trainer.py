"""Training driver: corpus -> vocabulary -> ids -> skip-gram or CBOW epochs -> Embeddings.

Python drives and the Numba kernels compute: the ids are cut into chunks of about
``CHUNK_TOKENS`` tokens at sentence ends, and each chunk is one parallel kernel
call, after which the progress bar, the learning rate and the loss are updated.
The learning rate falls linearly with global progress over all epochs, from
``alpha`` to ``min_alpha`` (word2vec.c, gensim), never reset per epoch.

This is the only module that imports ``_kernels``. (Named trainer.py, not train.py,
so the submodule cannot shadow the public function ``wordvec.train``.)
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import functools
import itertools
import math
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np
from tqdm import tqdm

from . import _kernels, corpus, files, parallel_count, phrases, sequences, subwords
from . import distributed as dist
from .config import TrainConfig
from .embeddings import Embeddings
from .probe import probe_loss, probe_pairs
from .stats import TrainStats
from .vocab import (
    RawCounts,
    Vocab,
    build_vocab,
    count_and_spool,
    count_and_spool_bytes,
    count_ids,
    cut_sequences,
    default_words,
    encode,
    kernel_share,
    prune,
    read_ids,
)

CHUNK_TOKENS = 1 << 20
PROBE_PAIRS = 20_000
PROBE_BATCH = 1024  # probe pairs whose input vectors are composed at once
# With several threads, each trains a private copy of this many of the most frequent
# words' output rows (see _kernels). On 5M tokens of English, 2 threads: 578k words/s
# without, 722k with (median of 3, alternating); 256 and 4096 rows did no better.
HOT_ROWS = 1024
WEIGHTS, THREADS, PROBE = range(3)  # the independent random streams of one seed
# Said when the kernels take longer than NOTICE_AFTER seconds to load: they are
# compiling (the first run of a kind of model); from Numba's cache they load in ~0.3 s.
COMPILE_NOTICE = ("compiling the training kernels (first run only, about 5 s; later runs "
                  "load them from the cache)")
NOTICE_AFTER = 1.0
# Below this share of bytes split by the counting kernels (the rest by Python), two
# worker processes count faster: 54 MB of Greek-letter text (share 0) took 2.7 s in
# the kernels and 1.45 s in workers; the dev text (share 0.85-0.95) 3.4 s and 5.2 s.
KERNEL_SHARE = 0.75


class TrainingDiverged(ArithmeticError):
    """The loss or the weights became NaN or infinite."""


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped training; ``partial`` holds the vectors trained so far.

    ``partial.stats["complete"]`` is False and ``partial.stats["progress"]`` says how
    far training got. A KeyboardInterrupt, so code that does not expect it stops as
    on any Ctrl-C; the CLI catches it and saves the partial model.
    """

    def __init__(self, partial: Embeddings):
        super().__init__(f"training interrupted at {partial.stats['progress']:.0%}")
        self.partial = partial


def thread_count(requested: int) -> int:
    """The number of threads Numba runs for ``requested`` (0: every core)."""
    limit = numba.config.NUMBA_NUM_THREADS
    return min(requested, limit) if requested else limit


@contextlib.contextmanager
def num_threads(n: int):
    """Run the block with Numba using ``n`` threads (0: every core), then restore."""
    old = numba.get_num_threads()
    numba.set_num_threads(thread_count(n))
    try:
        yield numba.get_num_threads()
    finally:
        numba.set_num_threads(old)


def learning_rate(alpha: float, min_alpha: float, progress: float) -> float:
    """Linear decay from ``alpha`` at progress 0 to ``min_alpha`` at progress 1."""
    return alpha + (min_alpha - alpha) * min(max(progress, 0.0), 1.0)


@dataclass
class Start:
    """What training starts from besides random vectors.

    resume : a saved model; its words keep their ids and its input and output
        vectors, new words are appended (continued training).
    init_words, init_vectors : pre-trained vectors; every vocabulary word found
        among ``init_words`` starts from its row of ``init_vectors``.
    init_subwords : the n-gram rows of a pre-trained subword model (a fastText
        ``.bin``), which the n-gram rows start from.
    freeze : keep the pre-trained input vectors fixed while the others train.
    """

    resume: Embeddings | None = None
    init_words: list[str] | None = None
    init_vectors: np.ndarray | None = None
    init_subwords: subwords.Subwords | None = None
    freeze: bool = False


def train(inputs, config: TrainConfig | None = None, verbose: bool = False,
          binary_ok: bool = False, start: Start | None = None,
          log: Callable[[str], None] | None = None,
          distributed: bool | None = None) -> Embeddings:
    """Train skip-gram or CBOW vectors on text files, folders or ``-`` (stdin).

    Parameters
    ----------
    inputs : path or list of paths
    config : TrainConfig, default TrainConfig()
    verbose : bool
        Show progress bars.
    binary_ok : bool
        Read inputs that look binary.
    start : Start, optional
        Continue a model or start from pre-trained vectors.
    log : callable, optional
        Gets one plain line per epoch (for logs, where bars would be noise).
    distributed : bool, optional
        Train with the other MPI ranks (``distributed.py``): each reads its share of
        ``inputs`` (or passes its own sequences), and all return the same model.
        Default: when launched by ``mpiexec`` or ``srun`` with several ranks.
        Only rank 0 shows progress and logs.

    Raises TrainingInterrupted (with the partial model) on Ctrl-C while training.
    """
    config, start = config or TrainConfig(), start or Start()
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    _check_start(start, config)
    world = dist.world(distributed)
    if world is not None:
        config = _ranked(config, world)
        verbose, log = (verbose, log) if world.rank == 0 else (False, None)
    stats = TrainStats()
    with tempfile.TemporaryDirectory(prefix="wordvec-") as tmp:
        clock = time.perf_counter()
        raw = _count(inputs, config, Path(tmp), (verbose, log), binary_ok, stats, world)
        _check_kind(raw, config, start)
        n_read, table = raw.n_tokens, None
        if config.phrases:
            joined, table = _find_phrases(raw, config, Path(tmp), log, stats, keep_pruned=True)
            with num_threads(config.threads):
                raw = phrases.to_counts(joined, raw, Path(tmp))
            stats.phrase_joins = n_read - raw.n_tokens
        base = Vocab(start.resume.words, start.resume.counts) if start.resume else None
        found = _merged(raw, config, world)
        vocab = build_vocab(raw, config.min_count, config.max_vocab, base)
        _check_vocab(found["raw_tokens"], len(raw.index), vocab, config)
        with tqdm(total=raw.n_tokens, unit="w", unit_scale=True, desc="encode",
                  disable=not verbose, leave=False) as bar:
            ids, offsets = encode(raw, vocab, Path(tmp), on_tokens=bar.update)
        stats.update(**{**_corpus_stats(raw, vocab, ids, offsets), "raw_tokens": n_read})
        if world is not None:
            stats.update(**{**_summed(world, stats), **found})
        _check_pairs(stats.raw_tokens, stats.train_tokens,
                     _longest(offsets, world), config)
        offsets = _cut(offsets, config, stats, log, world)
        del raw  # the counting dictionary is not needed while training
        vocab = vocab.compacted()
        *rows, used = input_rows(vocab, config)
        stats.vocab_seconds = time.perf_counter() - clock
        if log is not None:
            log(f"{len(vocab):,} words from {stats.raw_tokens:,} tokens; training")
        w_in, w_out, lockf = starting_weights(vocab, config, start, stats, used)
        stats.update(**run_epochs(ids, offsets, vocab, w_in, w_out, config, verbose, lockf,
                                  log, rows, world))
        del ids
    emb = _embeddings(vocab, w_in, w_out, config, stats, used)
    resumed = start.resume.phrases if start.resume is not None else None
    emb.phrases = resumed.merged(table) if resumed is not None and table is not None else table
    if not stats.complete:
        raise TrainingInterrupted(emb)
    return emb


def _ranked(config: TrainConfig, world: dist.World) -> TrainConfig:
    """``config`` for one of several ranks: ``threads`` 0 shares this node's cores
    between its ranks; phrases are not found across ranks yet."""
    if config.phrases:
        raise ValueError("`phrases` cannot be found across MPI ranks yet; join them first "
                         "with `wordvec phrases`, then train on the joined text")
    return dataclasses.replace(config, threads=world.threads(config.threads, thread_count(0)))


def _merged(raw: RawCounts, config: TrainConfig, world) -> dict:
    """The tokens counted and the words pruned meanwhile; with several ranks, on all
    ranks, after each rank's ``raw`` was given every rank's counts
    (``dist.merge_counts``)."""
    if world is None:
        return {"raw_tokens": raw.n_tokens, "pruned_while_counting": raw.pruned}
    return dist.merge_counts(world, raw, config.max_vocab_size, prune)


def _summed(world: dist.World, stats: TrainStats) -> dict:
    """The per-rank figures of ``stats`` summed over ranks."""
    names = ("raw_tokens", "train_tokens", "sentences", "invalid_utf8")
    return dict(zip(names, map(int, world.sum([getattr(stats, n) for n in names]))))


def _longest(offsets: np.ndarray, world) -> int:
    """The most tokens in a sentence, on any rank."""
    mine = int(np.diff(offsets).max(initial=0))
    return mine if world is None else world.max(mine)


def _cut(offsets: np.ndarray, config: TrainConfig, stats: TrainStats, log,
         world=None) -> np.ndarray:
    """The sentences cut to ``config.max_sequence`` kept tokens; counts the cut ones."""
    stats.sequences_cut = int((np.diff(offsets) > config.max_sequence).sum())
    if world is not None:
        stats.sequences_cut = int(world.sum([stats.sequences_cut])[0])
    if stats.sequences_cut and log is not None:
        log(f"{stats.sequences_cut:,} sequences longer than {config.max_sequence:,} items "
            f"cut into pieces (--max-sequence)")
    return cut_sequences(offsets, config.max_sequence)


def kernel_settings(config: TrainConfig) -> tuple[_kernels.Settings, _kernels.Kind]:
    """The kernels' ``Settings`` and ``Kind`` for ``config``; a whole-sequence window
    (``window`` 0) reaches over the longest piece a sequence is cut into, and never
    shrinks."""
    whole = config.window == 0
    settings = _kernels.Settings(config.max_sequence if whole else config.window,
                                 config.negative, config.cbow_update == "corrected",
                                 config.shrink_windows and not whole)
    return settings, _kernels.kind_of(config.model == "cbow", config.subwords,
                                      config.shared_negatives)


def input_rows(vocab: Vocab, config: TrainConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each word's input rows (CSR offsets, rows) and the n-gram buckets that have a row.

    With subwords, a word's input is the mean of its own row and those of its
    character n-grams (``subwords.subword_rows``). Without, it is its own row: CBOW's
    kernel reads that through the same pair, and word-only skip-gram reads none, so
    it gets an empty pair (12 bytes a word less: 5.4 MB at 446k item ids).
    """
    n, unused = len(vocab), np.zeros(0, dtype=np.int64)
    if config.subwords:
        return subwords.subword_rows(vocab.words, config.minn, config.maxn, config.buckets,
                                     vocab.counts)
    if config.model == "cbow":
        return np.arange(n + 1, dtype=np.int64), np.arange(n, dtype=np.int32), unused
    return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32), unused


def _embeddings(vocab: Vocab, w_in: np.ndarray, w_out: np.ndarray, config: TrainConfig,
                stats: TrainStats, used: np.ndarray) -> Embeddings:
    """The trained model; a subword model's vectors are the means of each word's rows,
    and ``used`` the buckets of its n-gram rows."""
    n = len(vocab)
    if not config.subwords:
        return Embeddings(vocab.words, vocab.counts, w_in, w_out[:n], config, stats.to_dict())
    order = np.argsort(used)  # the store keeps n-gram rows in bucket order
    table = subwords.Subwords(w_in[:n], w_in[n:][order], used[order], config.minn,
                              config.maxn, config.buckets)
    return Embeddings(vocab.words, vocab.counts, table.word_vectors(vocab.words), w_out[:n],
                      config, stats.to_dict(), subwords=table)


def _check_start(start: Start, config: TrainConfig) -> None:
    dims = {"the resumed model": start.resume.dim if start.resume else None,
            "the `init` vectors": start.init_vectors.shape[1]
            if start.init_vectors is not None else None}
    for what, dim in dims.items():
        if dim is not None and dim != config.dim:
            raise ValueError(f"{what} have dim {dim} but `dim` is {config.dim}; "
                             f"set `dim` to {dim} or leave it out")
    for source in (start.init_subwords, start.resume and start.resume.subwords):
        theirs = source and (source.minn, source.maxn, source.buckets)
        if config.subwords and theirs and theirs != (config.minn, config.maxn, config.buckets):
            raise ValueError(f"the starting model's n-grams are minn, maxn, buckets = "
                             f"{', '.join(map(str, theirs))}, which its n-gram vectors only "
                             f"fit; use the same")
    if start.resume is not None:  # cut the new text, and train, as the model was
        for name in ("model", "tokenizer", "lowercase"):
            theirs = getattr(start.resume.config, name)
            if getattr(config, name) != theirs:
                raise ValueError(f"the resumed model was trained with {name}={theirs!r} but "
                                 f"this run has {getattr(config, name)!r}; use the model's")


def starting_weights(vocab: Vocab, config: TrainConfig, start: Start, stats: TrainStats,
                     used: np.ndarray | None = None):
    """Input and output matrices to train from, and each input row's learning multiplier.

    ``w_in`` has a row per word, then (subwords) one per n-gram bucket in ``used``.
    ``w_out`` has the threads' spare rows after the vocabulary's (``spare_rows``).
    ``lockf`` (float32, one per row of ``w_in``) is 1, or 0 for input vectors kept
    fixed (``--freeze-init``).
    """
    n, used = len(vocab), np.zeros(0, np.int64) if used is None else used
    spare = spare_rows(n, thread_count(config.threads))
    w_in, w_out = init_weights(n + len(used), config.dim, config.seed, n + spare)
    lockf = np.ones(len(w_in), dtype=np.float32)
    if start.resume is not None:
        old = len(start.resume)
        rows = np.array([vocab.index[w] for w in start.resume.words], dtype=np.int64)
        # ids were renumbered into count order
        table = start.resume.subwords
        w_in[rows] = start.resume.vectors if table is None else table.words
        if start.resume.context is not None:
            w_out[rows] = start.resume.context
        if table is not None:
            _copy_ngrams(w_in[n:], used, table)
        stats.update(resumed_words=old, new_words=n - old)
    if start.init_subwords is not None and config.subwords:
        _copy_ngrams(w_in[n:], used, start.init_subwords)
    if start.init_vectors is None:
        return w_in, w_out, lockf
    pairs = [(vocab.index[w], i) for i, w in enumerate(start.init_words) if w in vocab.index]
    rows = np.array([r for r, _ in pairs], dtype=np.int64)
    # a subword model starts from the words' own rows, which the n-gram rows add to
    source = start.init_vectors if start.init_subwords is None or not config.subwords \
        else start.init_subwords.words
    w_in[rows] = source[np.array([i for _, i in pairs], dtype=np.int64)]
    stats.init_coverage = len(rows)
    if start.freeze:
        lockf[rows] = 0.0
    return w_in, w_out, lockf


def _copy_ngrams(rows: np.ndarray, used: np.ndarray, table: subwords.Subwords) -> None:
    """Start the n-gram rows of buckets ``used`` from ``table``'s, where it has them."""
    hit, found = table.rows_of(used)
    rows[hit] = table.ngrams[found]


def _count(inputs, config: TrainConfig, workdir: Path, progress, binary_ok: bool,
           stats: TrainStats, world: dist.World | None = None) -> RawCounts:
    """The counting pass, with a progress bar over input bytes; fills ``stats``.

    ``progress``: (show bars, log function or None) as ``train`` takes them. With
    several ranks (``world``), this rank's share of the files; sequences are each
    rank's own.
    """
    verbose, log = progress
    if sequences.is_sequences(inputs):
        return _count_sequences(inputs, config, workdir, verbose)
    files = corpus.expand_paths(inputs)
    if world is not None:
        files = dist.share(files, world.rank, world.size)
        if not files:  # a share of none of the text: counts to merge with the others'
            return count_and_spool([], workdir, config.max_vocab_size)
    if log is not None:
        log(f"counting words in {len(files):,} input{'s' if len(files) > 1 else ''}")
    size, workers = corpus.input_size(files), thread_count(config.threads)
    with tqdm(total=size, unit="B", unit_scale=True, desc="count",
              disable=not verbose, leave=False) as bar:
        small = size is not None and size < 2 * parallel_count.RANGE_BYTES
        if config.tokenizer == "default" and small:  # under a second: no kernel to compile
            sentences = corpus.iter_sentences(files, config.tokenizer, config.lowercase,
                                              on_bytes=bar.update, binary_ok=binary_ok,
                                              stats=stats)
            return count_and_spool(sentences, workdir, config.max_vocab_size)
        if config.tokenizer == "default" and workers > 1 and \
                (workers >= parallel_count.WORKERS_FROM or not _kernel_text(files, size)):
            return parallel_count.count_in_workers(
                files, workers, config.tokenizer, config.lowercase, workdir,
                config.max_vocab_size, bar.update, binary_ok, stats)
        chunks = corpus.iter_line_bytes(files, bar.update, binary_ok, stats)
        if config.tokenizer == "default":
            chunks = ((default_words(data, config.lowercase), ends) for data, ends in chunks)
        if workers > 1 and size is not None:  # files: split the next chunk meanwhile
            chunks = corpus.read_ahead(chunks)
        with contextlib.closing(chunks):
            return count_and_spool_bytes(chunks, workdir, config.max_vocab_size)


def _kernel_text(files: list, size: int | None) -> bool:
    """Whether the counting kernels split most of the input themselves, judged from
    the first MB of the first file (at least ``KERNEL_SHARE`` of its bytes): text in
    other scripts goes to Python line by line, which worker processes share out.
    Pipes and stdin (``size`` None) are not read ahead, and count as such text."""
    if size is None:
        return True
    head = corpus.iter_text(files[0], binary_ok=True)
    text = next(head, "")
    head.close()
    return kernel_share(text.encode("utf-8")) >= KERNEL_SHARE


def _count_sequences(source, config: TrainConfig, workdir: Path, verbose: bool) -> RawCounts:
    """The counting pass over Python sequences (``sequences.py``), with a progress bar
    over sequences; integer tokens are counted as ints."""
    total = len(source) if hasattr(source, "__len__") else None
    with tqdm(sequences.iter_sequences(source), total=total, unit="seq", unit_scale=True,
              desc="count", disable=not verbose, leave=False) as bar:
        read = iter(bar)
        first = next(read, None)
        items = itertools.chain([] if first is None else [first], read)
        if first and sequences.is_id(first[0]):
            return count_ids(sequences.id_batches(items), workdir, config.max_vocab_size)
        raw = count_and_spool(items, workdir, config.max_vocab_size)
    raw.index = sequences.token_kind(raw.index)[1]
    return raw


def _check_kind(raw: RawCounts, config: TrainConfig, start: Start) -> None:
    """Integer ids have no characters and no phrases, and cannot join a model of strings
    (nor strings one of ints)."""
    ints = isinstance(next(iter(raw.index), ""), int)
    for name in ("subwords", "phrases"):
        if ints and getattr(config, name):
            raise ValueError(f"`{name}` work on the characters of words, and these tokens "
                             f"are integer ids; leave `{name}` out or pass strings")
    if start.resume is not None and len(start.resume) and raw.index and \
            isinstance(start.resume.words[0], int) != ints:
        kinds = ("string", "integer")
        raise ValueError(f"the resumed model's tokens are {kinds[not ints]}s but these are "
                         f"{kinds[ints]}s; continue it with the same kind of token")


def _find_phrases(raw: RawCounts, config: TrainConfig, workdir: Path, log, stats: TrainStats,
                  keep_pruned: bool) -> tuple[phrases.Joined, phrases.PhraseTable]:
    """Find the counted text's phrases in ``config.phrases`` passes; the last pass's
    joins are made as the result is read. Fills ``stats`` but for ``phrase_joins``."""
    def said(number: int, found: int) -> None:
        if log is not None:
            log(f"phrase pass {number}/{config.phrases}: {found:,} phrases")

    stream = phrases.stream_from_counts(raw, workdir, keep_pruned)
    with num_threads(config.threads):
        joined, table = phrases.find_phrases(stream, phrases.settings_of(config), workdir,
                                             config.max_vocab_size, said)
    stats.update(phrases=len(table), phrase_candidates_pruned=table.pruned)
    return joined, table


def write_phrased(inputs, out, config: TrainConfig, verbose: bool = False,
                  binary_ok: bool = False, log=None) -> tuple[phrases.PhraseTable, TrainStats]:
    """``wordvec phrases``: the corpus with its phrases joined, written to ``out`` as
    text (a sentence a line, as tokenized), in ``config.phrases`` passes."""
    stats = TrainStats()
    with tempfile.TemporaryDirectory(prefix="wordvec-") as tmp:
        raw = _count(inputs, config, Path(tmp), (verbose, log), binary_ok, stats)
        _check_tokens(raw.n_tokens)
        joined, table = _find_phrases(raw, config, Path(tmp), log, stats, keep_pruned=False)
        with files.open_output(out) as f, num_threads(config.threads):
            phrases.write_text(joined, f)
        stats.update(raw_tokens=raw.n_tokens, sentences=raw.n_sentences,
                     phrase_joins=raw.n_tokens - joined.n_tokens)
    return table, stats


def _check_tokens(n_tokens: int) -> None:
    if n_tokens == 0:
        raise ValueError("the corpus holds no words; check that it is a non-empty text file")


def _check_vocab(n_tokens: int, distinct: int, vocab: Vocab, config: TrainConfig) -> None:
    _check_tokens(n_tokens)
    if len(vocab) == 0:
        raise ValueError(f"no word occurs {config.min_count} times or more "
                         f"({distinct:,} distinct words in {n_tokens:,} tokens); "
                         f"try a smaller `min_count`")


def _check_pairs(n_tokens: int, n_known: int, longest: int, config: TrainConfig) -> None:
    """Refuse a corpus that leaves nothing to train: no known word, or no two in a line
    (``longest``: the most known tokens in a sentence)."""
    if n_known == 0:
        raise ValueError(f"none of the corpus's {n_tokens:,} tokens is in the resumed "
                         f"model's vocabulary and no new word occurs `min_count` "
                         f"{config.min_count} times; check that this is the right text")
    if longest < 2:
        raise ValueError("every sentence holds a single known word, so there is no (word, "
                         "context) pair to train on; one line is one sentence: put the "
                         "words of a sentence on one line")


def _corpus_stats(raw: RawCounts, vocab: Vocab, ids: np.ndarray, offsets: np.ndarray) -> dict:
    return {"raw_tokens": raw.n_tokens, "train_tokens": int(len(ids)),
            "sentences": int(len(offsets) - 1), "distinct_words": len(raw.index),
            "vocab_size": len(vocab), "pruned_while_counting": raw.pruned}


def hot_rows(n_words: int, threads: int) -> int:
    """How many of the most frequent words' output rows each thread trains a copy of."""
    return min(HOT_ROWS, n_words) if threads > 1 else 0


def spare_rows(n_words: int, threads: int) -> int:
    """Rows ``w_out`` needs past the vocabulary: a private copy of the hot rows per thread."""
    return threads * hot_rows(n_words, threads)


def seed_stream(seed: int, purpose: int) -> np.random.Generator:
    """One of three independent generators derived from ``seed`` (``SeedSequence.spawn``).

    ``purpose``: ``WEIGHTS`` (initial vectors), ``THREADS`` (the kernels' RNG states) or
    ``PROBE`` (the loss sample), so no two of them draw from the same bits.
    """
    return np.random.default_rng(np.random.SeedSequence(seed).spawn(3)[purpose])


def init_weights(n_rows: int, dim: int, seed: int, n_out: int | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """``n_rows`` input vectors uniform in +-1/dim, ``n_out`` output vectors zero.

    gensim's and fastText's start; word2vec.c's is +-0.5/dim. On item sessions,
    where most items have a few dozen events, the wider start scored 0.024 higher
    (hit rate at 10, 3 seeds); on text it tied (README, "What it computes").
    ``n_out`` (default ``n_rows``) counts the words' rows and the threads' private
    rows (the kernels use them), but not the n-gram rows that ``w_in`` may have.
    """
    w_in = seed_stream(seed, WEIGHTS).random((n_rows, dim), dtype=np.float32)
    w_in -= np.float32(0.5)  # in place: no temporary copies of a large matrix
    w_in /= np.float32(dim / 2)
    return w_in, np.zeros((n_rows if n_out is None else n_out, dim), dtype=np.float32)


def chunk_bounds(offsets: np.ndarray, chunk_tokens: int = CHUNK_TOKENS) -> np.ndarray:
    """Indices into ``offsets`` that cut the sentences into runs of ~``chunk_tokens``."""
    if offsets[-1] == 0:
        return np.zeros(1, dtype=np.int64)  # no chunk
    targets = np.arange(0, offsets[-1], chunk_tokens, dtype=np.int64)
    bounds = np.unique(np.searchsorted(offsets, targets))
    return np.append(bounds, len(offsets) - 1) if bounds[-1] != len(offsets) - 1 else bounds


def run_epochs(ids: np.ndarray, offsets: np.ndarray, vocab: Vocab, w_in: np.ndarray,
               w_out: np.ndarray, config: TrainConfig, verbose: bool = False,
               lockf: np.ndarray | None = None,
               log: Callable[[str], None] | None = None, inputs=None,
               world: dist.World | None = None) -> dict:
    """Train ``w_in``/``w_out`` in place for ``config.epochs`` epochs; return timing and losses.

    ``w_out`` may have spare rows past the vocabulary's (``spare_rows``), which the
    threads use for private copies of the hottest rows. ``lockf``: each input row's
    multiplier on its updates (default 1 for all; 0 keeps a row fixed). ``inputs``:
    each word's input rows (``input_rows``'s CSR pair; default its own row).
    ``world``: train with the other MPI ranks (``dist.Team``).
    """
    n_words = len(vocab)
    if lockf is None:
        lockf = np.ones(len(w_in), dtype=np.float32)
    if inputs is None:
        inputs = input_rows(vocab, config)[:2]
    model = _kernels.Model(w_in, w_out, lockf, vocab.keep_thresholds(config.sample),
                           vocab.noise_table(config.ns_exponent), *inputs)
    settings, kind = kernel_settings(config)
    bounds = chunk_bounds(offsets, CHUNK_TOKENS)
    release_free_heap()  # what counting and the tables freed, before training's peak
    total = int(offsets[-1]) * config.epochs
    with num_threads(config.threads) as threads:
        hot = hot_rows(n_words, threads)
        if len(w_out) < n_words + spare_rows(n_words, threads):
            hot = 0  # no room for the threads' private rows: train the shared ones
        rng_states = block_seeds(config.seed, threads, world.rank if world else 0)
        compile_seconds = _warm_up(model, settings, kind, threads, _say(verbose, log))
        team = dist.Alone(total) if world is None else \
            dist.Team(world, model, n_words, total, config.sync_interval)
        start = time.perf_counter()
        losses, probes, done = _epoch_loop(ids, offsets, bounds, (model, settings, kind, hot),
                                           rng_states, config,
                                           vocab.noise_distribution(config.ns_exponent),
                                           (verbose, log), team)
        seconds = time.perf_counter() - start
    return {"epoch_losses": probes, "running_losses": losses,
            "complete": done == team.total, "progress": done / team.total,
            "train_seconds": seconds, "threads": threads, "compile_seconds": compile_seconds,
            "words_per_second": done / seconds if seconds > 0 else 0.0, **team.figures()}


def release_free_heap() -> None:
    """Give the C heap's free pages back to the system (glibc's ``malloc_trim``).

    Counting, the vocabulary and the noise table free millions of small objects, and
    glibc keeps those pages resident for reuse; training then allocates nothing
    small, so they would only add to its peak (about 70 MB at 446k item ids,
    ``bench_item2vec.py``). A no-op where the C library has no ``malloc_trim``.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    """glibc's ``int malloc_trim(size_t pad)``, or None (another C library, Windows)."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, TypeError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def block_seeds(seed: int, n_blocks: int, rank: int = 0) -> np.ndarray:
    """Independent 48-bit LCG states, one per block, all derived from ``seed``; rank
    ``r`` of several MPI ranks takes the ``r``-th ``n_blocks`` of them."""
    return seed_stream(seed, THREADS).integers(1, 1 << 48, size=n_blocks * (rank + 1),
                                               dtype=np.int64)[rank * n_blocks:]


def _say(verbose: bool, log: Callable[[str], None] | None) -> Callable[[str], None] | None:
    """Where a one-off notice goes: the log, else stderr beside the bars, else nowhere."""
    if log is not None:
        return log
    return (lambda line: tqdm.write(line, file=sys.stderr)) if verbose else None


def _warm_up(model, settings, kind, threads: int, say=None) -> float:
    """Compile (or load from cache) the kernels on a tiny input; return the seconds spent.

    ``say`` (optional) gets ``COMPILE_NOTICE`` once this has taken ``NOTICE_AFTER``
    seconds, which only compiling does.
    """
    notice = threading.Timer(NOTICE_AFTER, say, [COMPILE_NOTICE]) if say else None
    if notice is not None:
        notice.daemon = True
        notice.start()
    try:
        return _on_fresh_thread(_load_kernels, model, settings, kind, threads)
    finally:
        if notice is not None:
            notice.cancel()


def _on_fresh_thread(function: Callable, *args):
    """``function(*args)`` on a new thread: its result, or its exception raised here.

    For compiling. CPython 3.11 maps its stack of Python frames in 16 KB chunks and
    unmaps a chunk as soon as the frames in it return; Numba's compiler recurses
    deeply, and where its depth keeps crossing a chunk boundary, calls map and unmap
    a chunk over and over (measured under ``python -m wordvec``: 520k mmap/munmap
    pairs, 600k page faults, a 9.5 s compile instead of 6.5 s). A new thread starts
    at the same depth however wordvec was started (console script, ``-m``, a
    notebook, a deep call stack), so the compile's cost does not depend on it.
    """
    outcome: list = []

    def run() -> None:
        try:
            outcome.append((True, function(*args)))
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller
            outcome.append((False, exc))

    worker = threading.Thread(target=run, name="wordvec-compile", daemon=True)
    worker.start()
    worker.join()
    ok, value = outcome[0]
    if not ok:
        raise value
    return value


def _load_kernels(model, settings, kind, threads: int) -> float:
    """Call the chunk kernel on one empty chunk with ``threads`` threads; return the
    seconds it took."""
    start = time.perf_counter()
    numba.set_num_threads(threads)  # per thread in Numba: this may be a new thread
    w = np.zeros((1, model.w_in.shape[1]), dtype=np.float32)
    tiny = model._replace(w_in=w, w_out=w.copy(), lockf=model.lockf[:1], keep=model.keep[:1],
                          noise=model.noise[:1], in_offsets=model.in_offsets[:2],
                          in_rows=model.in_rows[:1])
    _kernels.train_chunk(np.zeros(0, dtype=np.int32), np.zeros(1, dtype=np.int64), tiny,
                         settings, np.zeros(2), np.ones(threads, dtype=np.int64), 0, *kind)
    return time.perf_counter() - start


def _epoch_loop(ids, offsets, bounds, kernel_args, rng_states, config: TrainConfig,
                probs: np.ndarray, progress, team: dist.Alone
                ) -> tuple[list[float], list[float], int]:
    """Call the chunk kernel over every chunk of every epoch; return losses and tokens done.

    ``kernel_args``: the ``Model``, ``Settings``, ``Kind`` and hot-row count the chunk
    kernel takes; ``probs``: the noise distribution, for drawing the loss probe;
    ``progress``: (show a bar, log function or None); ``team``: the other ranks
    (``dist.Team``), or none (``dist.Alone``). Losses and tokens are
    sums over ranks.

    Ctrl-C (KeyboardInterrupt, delivered when a chunk's kernel returns) stops the
    loop: the vectors trained so far are returned with the tokens done, and the
    caller saves them as an incomplete model. With several ranks, all stop after
    the chunk they are training, and merge their rows first.

    Returns two losses per epoch: the running mean over the pairs trained, and the
    loss at the epoch's end of a fixed probe sample drawn from every chunk during the
    first epoch. The running mean is measured as the vectors adapt to the text just
    read, which a high learning rate rewards on text in document order, so it can
    rise late in a decaying schedule; the probe loss is the one comparable across
    epochs.
    """
    model, settings, kind, hot = kernel_args
    (verbose, log), total = progress, int(offsets[-1]) * config.epochs
    rng, probe, done, losses, probes = seed_stream(config.seed, PROBE), [], 0, [], []
    began, all_done = time.perf_counter(), 0
    with tqdm(total=team.total, unit="w", unit_scale=True, desc="train", disable=not verbose,
              leave=False, smoothing=0.1) as bar, contextlib.suppress(KeyboardInterrupt):
        for epoch in range(config.epochs):
            team.begin_epoch(done)
            sums, interrupted = np.zeros(2), False
            try:
                for lo, hi in zip(bounds[:-1], bounds[1:]):
                    part = offsets[lo:hi + 1] - offsets[lo]
                    chunk = read_ids(ids, int(offsets[lo]), int(offsets[hi]))
                    if epoch == 0:
                        share = round(PROBE_PAIRS * len(chunk) * config.epochs / total)
                        probe.append(probe_pairs(chunk, part, probs, config, share, rng))
                    alphas = np.array([learning_rate(config.alpha, config.min_alpha, p)
                                       for p in team.progress(done, len(chunk))])
                    out = _kernels.train_chunk(chunk, part, model, settings, alphas,
                                               rng_states, hot, *kind)
                    sums += out.sum(axis=0)
                    done += len(chunk)
                    team.trained(done)
                    check_finite(sums[0], model.w_in, model.w_out, done / total)
                    bar.update(len(chunk) * team.size)
                    bar.set_postfix(epoch=epoch + 1, alpha=f"{alphas[1]:.5f}",
                                    loss=f"{sums[0] / max(sums[1], 1):.4f}", refresh=False)
                    if team.stopped():
                        break
            except KeyboardInterrupt:
                interrupted = True
            stop = team.end_epoch(interrupted)
            loss_sum, pairs, probed, probing, all_done = team.sum(
                [*sums, _probe(model, probe), bool(probe), done])
            if all_done < team.total * (epoch + 1) // config.epochs:
                break  # stopped within the epoch: its losses are of part of it
            losses.append(loss_sum / max(pairs, 1.0))
            probes.append(probed / max(probing, 1.0))  # the mean over ranks with text
            if log is not None:
                log(f"epoch {epoch + 1}/{config.epochs}: loss {probes[-1]:.4f}, "
                    f"{all_done / max(time.perf_counter() - began, 1e-9):,.0f} words/s, "
                    f"{all_done / team.total:.0%} done")
            if stop:
                break
    return losses, probes, int(all_done)


def _probe(model, probe: list) -> float:
    """The probe loss; each probe word's input vector is the mean of its input rows.
    ``probe``: the samples drawn from each chunk (none on a rank with no text).

    In batches of ``PROBE_BATCH`` pairs, so that composing the input vectors takes
    little memory (all 20k at once took up to 48 MB at dim 300, and a subword
    model's gathered rows about ten times that, at the end of every epoch).
    """
    if not probe:
        return 0.0
    contexts, centres, noise = [np.concatenate(x) for x in zip(*probe)]
    total = 0.0
    for start in range(0, len(contexts), PROBE_BATCH):
        some = slice(start, start + PROBE_BATCH)
        words = contexts[some]
        pairs = (np.arange(len(words)), centres[some], noise[some])
        total += len(words) * probe_loss(_input_vectors(model, words), model.w_out, pairs,
                                         float(_kernels.SIGMOID_CLIP))
    return total / len(contexts)


def _input_vectors(model, words: np.ndarray) -> np.ndarray:
    """Each of ``words``' input vector: the mean of its rows ``in_rows`` of ``w_in``,
    or its own row where the model has no ``in_rows`` (``input_rows``)."""
    if len(model.in_rows) == 0:
        return model.w_in[words]
    first, last = model.in_offsets[words], model.in_offsets[words + 1]
    offsets = np.concatenate([[0], np.cumsum(last - first)])
    rows = model.in_rows[np.repeat(first - offsets[:-1], last - first) +
                         np.arange(offsets[-1])]
    inputs = subwords.sum_rows(model.w_in, offsets, rows)
    inputs /= (last - first).astype(np.float32)[:, None]
    return inputs


def check_finite(loss_sum: float, w_in: np.ndarray, w_out: np.ndarray,
                 progress: float) -> None:
    """Raise TrainingDiverged when the loss or any weight of either matrix is NaN or inf.

    Called after every chunk. A float32 sum is NaN or inf when an element is (or when
    the weights reach about 1e33, which is divergence too); it reads each matrix once
    at memory speed without a temporary array: 2.4 ms for 100,000 x 100, against
    about 1.7 s of training per chunk.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        finite = math.isfinite(loss_sum) and np.isfinite(w_in.sum()) \
            and np.isfinite(w_out.sum())
    if not finite:
        raise TrainingDiverged(f"training diverged (NaN or infinite values) at {progress:.0%} "
                               f"of training; lower `alpha`")
