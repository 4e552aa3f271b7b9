"""Counting words in worker processes: the default tokenizer's pass, on every core.

Tokenizing (NFKC, lowercasing, the word pattern) and looking every token up in a
dictionary is Python work that one process does at about 3M tokens/s. Here worker
processes do it on parts of the input, each with a dictionary of its own, and
number the words they meet, keeping the numbers from part to part. For each
part a worker sends back the words new to it, in order of first sight, each token
as its number, and each line's token count. The main process merges the parts in
input order, keeping a table from each worker's numbers to provisional ids: it
looks up only the words new to a worker, so the provisional ids, counts, scratch
files and sentences come out exactly as the serial pass (``vocab.count_and_spool``
over ``corpus.iter_sentences``) makes them. A worker that has met more than
``WORKER_WORDS`` words forgets them and starts again, which bounds its memory.
One difference: past ``max_vocab_size`` words the rarest are pruned after
a part (about ``RANGE_BYTES`` of text) rather than every ``vocab.FLUSH_TOKENS``
tokens.

Plain files are split into byte ranges at line starts, which the workers read
themselves; compressed files and stdin are read here, and their text is sent to
the workers in batches of whole lines. At most two parts per worker are in
flight, so memory stays bounded whatever the size of the input.

With fewer than ``WORKERS_FROM`` threads the trainer counts in one process instead,
with the counting kernels (``vocab.default_words`` then ``count_and_spool_bytes``),
which on two cores is faster than two workers, unless the first MB of the input is
mostly text the kernels leave to Python (other scripts: ``trainer.KERNEL_SHARE``).
Input under two parts is counted by the Python pass in one process: it takes under a
second there, less than the kernels' first compile (about 1.7 s), which a first run
would pay.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from array import array
from collections import deque
from collections.abc import Iterator
from itertools import islice, repeat
from pathlib import Path

import numpy as np

from . import corpus
from .vocab import RawCounts, merge_part

RANGE_BYTES = 1 << 22  # one part of a plain file: ~700k tokens of English
# On 2 cores two workers counted and encoded 20M tokens in 5.2 s, the kernels in 3.4 s;
# the workers' Python scales with cores, the kernels do not (docs/performance.md).
WORKERS_FROM = 3
WORKER_WORDS = 1 << 20  # a worker forgets its words past this many (~100 MB of them)
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


def count_in_workers(files: list, workers: int, tokenizer: str, lowercase: bool,
                     workdir: Path, max_vocab_size: int, on_bytes=None, binary_ok=False,
                     stats=None) -> RawCounts:
    """``vocab.count_and_spool`` over ``corpus.iter_sentences(files, ...)``, tokenized
    by ``workers`` processes; the same arguments, the same result (module docstring)."""
    raw = RawCounts({}, np.zeros(0, dtype=np.int64), workdir / "raw_ids.i32",
                    workdir / "raw_ends.i64", 0, 0)
    known: dict = {}  # each worker's key -> _Known
    with _pool(workers) as pool, \
            open(raw.ids_path, "wb") as ids_file, open(raw.ends_path, "wb") as ends_file:
        pending: deque = deque()
        merge = (raw, known, (ids_file, ends_file), max_vocab_size, on_bytes, stats)
        for task, size in _tasks(files, tokenizer, lowercase, on_bytes, binary_ok, stats):
            pending.append((pool.apply_async(count_part, (task,)), size))
            while len(pending) > 2 * workers:
                _merge_next(pending, *merge)
        while pending:
            _merge_next(pending, *merge)
    return raw


def _pool(workers: int):
    """A pool of forked workers (no re-import of the user's script, as spawning does)
    that never run this process's signal handlers: the stop signals are blocked while
    it forks, so one that comes meanwhile waits and then stops this process, with the
    pool whole (a pool half made can hang at exit)."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        return multiprocessing.get_context("fork").Pool(workers, initializer=_quiet_worker)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _quiet_worker() -> None:
    """Workers leave Ctrl-C and SIGHUP to the main process, which then ends them with
    SIGTERM: that must kill them quietly, not run a handler inherited from the CLI.
    Each worker gets a key that names its numbering of words in its results."""
    for signum in (signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    _WORKER["key"] = (os.getpid(), time.monotonic_ns())
    _WORKER["words"] = {}  # a numbering of its own, not one a fork copied


# In a worker: its key and its words -> its numbers, kept from part to part.
_WORKER: dict = {"key": None, "words": {}}


class _Known:
    """What the main process knows of one worker's numbering: its words in number
    order, and each one's provisional id (-1: none yet, or its word was pruned)."""

    def __init__(self) -> None:
        self.words: list[str] = []
        self.pids = np.zeros(0, dtype=np.int32)

    def add(self, new: list[str], local: np.ndarray, index: dict) -> np.ndarray:
        """Take the words new to the worker (looked up in ``index``); return the numbers
        in the part ``local`` that have no provisional id, in order of first sight."""
        old = len(self.words)
        stale = bool((self.pids < 0).any())  # a word seen in an earlier part was pruned
        looked = np.fromiter(map(index.get, new, repeat(-1)), dtype=np.int32, count=len(new))
        self.words.extend(new)
        self.pids = np.concatenate([self.pids, looked])
        if not stale:  # only new words lack ids, and they come in order of first sight
            return old + np.flatnonzero(looked < 0)
        lacking = local[self.pids[local] < 0]
        _, first = np.unique(lacking, return_index=True)
        return lacking[np.sort(first)]

    def forget_pruned(self, counts: np.ndarray) -> None:
        """After pruning: an id whose count went to 0 was freed, and may be given again."""
        live = self.pids >= 0
        live[live] = counts[self.pids[live]] > 0
        self.pids[~live] = -1


def _merge_next(pending: deque, raw: RawCounts, known: dict, spools, max_vocab_size: int,
                on_bytes, stats) -> None:
    result, size = pending.popleft()
    key, forgot, new, local, lengths, invalid = result.get()
    if forgot or key not in known:
        known[key] = _Known()
    local = np.frombuffer(local, dtype=np.int32)
    todo = known[key].add(new.split("\n") if new else [], local, raw.index)
    pruned = raw.pruned
    merge_part(raw, known[key].words, known[key].pids, todo.tolist(), local,
               np.frombuffer(lengths, dtype=np.int64), spools, max_vocab_size)
    if raw.pruned != pruned:
        for other in known.values():
            other.forget_pruned(raw.counts)
    if stats is not None:
        stats.invalid_utf8 += invalid
    if on_bytes is not None and size:
        on_bytes(size)


def _tasks(files: list, tokenizer: str, lowercase: bool, on_bytes, binary_ok: bool,
           stats) -> Iterator[tuple[tuple, int]]:
    """The parts of the input in order, as (task for ``count_part``, on-disk bytes it
    covers, for the progress bar; 0 where this process has reported them)."""
    for path in files:
        if corpus.is_plain_file(path):
            whole = corpus.Span(path, 0, os.path.getsize(path)) \
                if not isinstance(path, corpus.Span) else path
            if whole.start == 0:
                corpus.check_head(whole.path, binary_ok)
            for start, stop in corpus.line_ranges(whole.path, RANGE_BYTES, whole.start,
                                                  whole.stop):
                yield (("range", str(whole.path), start, stop, tokenizer, lowercase),
                       stop - start)
            continue
        batch, chars = [], 0
        for text, ends_line in corpus.line_pieces(path, on_bytes, binary_ok, stats):
            batch.append((text, ends_line))
            chars += len(text)
            if ends_line and chars >= RANGE_BYTES:  # a batch never ends inside a line
                yield ("text", batch, tokenizer, lowercase), 0
                batch, chars = [], 0
        yield ("text", batch, tokenizer, lowercase), 0


def count_part(task: tuple) -> tuple[tuple, bool, str, bytes, bytes, int]:
    """In a worker: count one part. Returns the worker's key; whether it forgot the
    words of its earlier parts (past ``WORKER_WORDS``) and numbers from 0 again; the
    words new to it, in order of first sight, joined by newlines (no token holds one);
    each token's number (int32 bytes); each line's token count (int64 bytes; an empty
    line counts 0); and the number of invalid UTF-8 sequences."""
    invalid = [0]  # counted here for ranges; for text, where it was read
    if task[0] == "range":
        _, path, start, stop, tokenizer, lowercase = task
        pieces = corpus.pieces_of(corpus.range_text(path, start, stop, invalid.append))
    else:
        _, pieces, tokenizer, lowercase = task
    index: dict[str, int] = _WORKER["words"]
    forgot = len(index) > WORKER_WORDS
    if forgot:
        index.clear()
    known = len(index)
    ids, lengths = array("i"), array("q")
    line = 0
    for tokens, ends in corpus.line_tokens(pieces, tokenizer, lowercase):
        found = list(map(index.get, tokens))
        if None in found:  # new words: the next positions, in order of first sight
            for k, token in enumerate(tokens):
                if found[k] is None:
                    found[k] = index.setdefault(token, len(index))
        ids.extend(found)
        line += len(tokens)
        if ends:
            lengths.append(line)
            line = 0
    return (_WORKER["key"], forgot, "\n".join(islice(index, known, None)), ids.tobytes(),
            lengths.tobytes(), sum(invalid))
