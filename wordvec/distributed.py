"""Training one model on several processes (MPI ranks), as pWord2Vec does.

Ji et al. 2016 ("Parallelizing Word2Vec in Shared and Distributed Memory") train
one copy of the model per node, each on its own share of the text with Hogwild
threads, and synchronise the copies with MPI allreduce: the frequent words' rows
often, the rare ones' seldom, everything at the end of an epoch. Here:

* ``World`` is the launch: rank, size, and the MPI communicator (``mpi4py``, the
  ``mpi`` extra). ``world()`` detects an ``mpiexec``/``srun`` launch.
* ``share`` gives each rank a contiguous part of the input: plain files are cut at
  line starts into equal byte ranges; a compressed file, which cannot be cut, goes
  whole to the rank that owns its middle byte.
* ``merge_counts`` adds every rank's word counts, so all ranks build the same
  vocabulary (ids by count, ties by word: the same as one process counting it all).
* ``Team`` runs the epochs together: a thread per rank merges rows while the
  kernels train (``Syncer``), all rows are merged at each epoch end, and the
  learning rate follows the tokens done on all ranks.

Merging, not averaging: every rank keeps the rows as last merged (``base``, the
same on all ranks) and at a merge adds every rank's change since then, so no
update is lost, as with threads sharing one matrix (and as the kernels merge their
threads' private rows); only a change longer than its row is shrunk toward the
ranks' mean (``merged_change``). Averaging the copies instead divides every
word's progress by the number of ranks: on 20M tokens, 5 epochs, 2 ranks scored
0.05 lower on analogies than one process with 2 threads, 4 ranks 0.15 lower. A
plain sum kept 2 ranks' quality on 5M tokens but diverged with 3 and 4 ranks.
The cost is one more copy of both matrices per rank.

Merging a prefix of rows: rows are in count order, so tier ``t`` is rows
``[FIRST_TIER * (2**t - 1), FIRST_TIER * (2**(t + 1) - 1))``, merged every
``2**t`` ticks of ``sync_interval`` seconds. The tiers due at a tick are always
tiers 0..m, one prefix of rows, so a tick is one allreduce (in blocks) per run of
rows in count order: the words' input rows, the n-gram rows of a subword model
(numbered from the most used), the words' output rows.
A rank keeps the updates its threads make while the allreduce runs: it adds the
other ranks' changes to its rows instead of writing the merged rows over them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from typing import NoReturn

import numpy as np

from . import corpus

FIRST_TIER = 1024  # rows in the most often merged tier; each next tier is twice as large
BLOCK_BYTES = 1 << 24  # one allreduce moves at most this much (bounded scratch memory)
POLL_SECONDS = 2e-4  # how often a waiting sync thread asks MPI whether its allreduce is done
ABORT_GRACE = 0.2  # seconds a failing rank waits, after its error line, before MPI_Abort
# The number of ranks, as mpiexec (MPICH's hydra, Open MPI) or srun with a PMI or
# PMIx plugin sets it; PMIx alone may leave only PMIX_RANK (and Slurm its step size).
SIZE_VARIABLES = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "SLURM_STEP_NUM_TASKS")
LAUNCH_VARIABLES = ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK")
INSTALL_HINT = "pip install 'wordvec[mpi]'"


class DistributedError(ValueError):
    """Training over MPI cannot start; the message says why and what to do."""


def launch_size() -> int:
    """How many ranks an MPI launcher started: 0 when none started this process, -1
    when one did but did not say how many."""
    if not any(name in os.environ for name in LAUNCH_VARIABLES):
        return 0
    for name in SIZE_VARIABLES:
        if os.environ.get(name, "").isdigit():
            return int(os.environ[name])
    return -1


def world(distributed: bool | None = None) -> World | None:
    """The MPI world when ``distributed`` (None: when launched by MPI with several
    ranks), else None (one process, no MPI)."""
    size = launch_size()
    if distributed is False or (distributed is None and size in (0, 1)):
        return None
    try:
        from mpi4py import MPI
    except ImportError:
        if distributed is None and size < 0:
            return None  # perhaps a single task of srun: train alone
        raise DistributedError(f"this run was started by an MPI launcher with {size} ranks "
                               f"(or with --distributed) but mpi4py is not installed; "
                               f"{INSTALL_HINT}") from None
    comm = MPI.COMM_WORLD
    if distributed is None and comm.Get_size() == 1:
        return None
    return World(comm)


class World:
    """The ranks of one training run."""

    def __init__(self, comm):
        from mpi4py import MPI

        self.comm, self.mpi = comm, MPI
        self.rank, self.size = comm.Get_rank(), comm.Get_size()
        self.local_size = comm.Split_type(MPI.COMM_TYPE_SHARED).Get_size()

    def threads(self, requested: int, cores: int) -> int:
        """Threads per rank: as requested, or (0) this node's cores shared by its ranks."""
        return requested or max(1, cores // self.local_size)

    def sum(self, values) -> np.ndarray:
        """The element-wise sum over ranks of ``values`` (float64)."""
        data = np.array(values, dtype=np.float64)
        self.comm.Allreduce(self.mpi.IN_PLACE, data, op=self.mpi.SUM)
        return data

    def max(self, value: int) -> int:
        """The largest ``value`` any rank passed."""
        return self.comm.allreduce(value, op=self.mpi.MAX)

    def abort(self, message: str, code: int) -> NoReturn:
        """Say ``message`` and end every rank with exit status ``code``. MPICH's
        MPI_Abort can return before the launcher kills this process, so this process
        then ends itself (buffers flushed, no cleanup that could wait on other ranks).
        The pause first lets the launcher pass the line on: without it, MPICH's
        launcher lost both ranks' lines in about 1 run of 25."""
        print(f"Error: rank {self.rank}: {message}; stopping all ranks", file=sys.stderr,
              flush=True)
        sys.stdout.flush()
        time.sleep(ABORT_GRACE)
        self.comm.Abort(code)
        os._exit(code)

    def merge(self, matrix: np.ndarray, base: np.ndarray) -> None:
        """Add every rank's change since ``base`` to ``base``, and make ``matrix`` that
        (float32, C order, in place, in blocks); every rank must call it with the same
        shapes, while nothing trains. Afterwards the ranks hold the same rows (up to
        the allreduce's rounding, which MPI does not promise to be the same on every
        rank; with 2 ranks it is: a + b = b + a)."""
        def allreduce(data):
            self.comm.Allreduce(self.mpi.IN_PLACE, data, op=self.mpi.SUM)

        for rows, was in zip(_blocks(matrix), _blocks(base)):
            was += merged_change(rows - was, was, allreduce)
            rows[:] = was


def _blocks(matrix: np.ndarray):
    """Contiguous row blocks of ``matrix`` of at most ``BLOCK_BYTES``."""
    step = max(1, BLOCK_BYTES // max(matrix[:1].nbytes, 1))
    for lo in range(0, len(matrix), step):
        yield matrix[lo:lo + step]


def share(files: list, rank: int, size: int) -> list:
    """This rank's part of ``files`` (``corpus.expand_paths``'s list): rank ``r`` owns
    bytes ``[r T / size, (r + 1) T / size)`` of the files' T bytes laid end to end,
    moved to line starts, as ``corpus.Span``s; a compressed file goes whole to the
    rank that owns its middle byte. Every rank gets the same cuts."""
    if "-" in map(str, files):
        raise corpus.CorpusError("stdin cannot be shared between ranks; pass files or "
                                 "folders that every rank can read")
    sizes = [os.path.getsize(f) for f in files]
    total, mine, before = max(sum(sizes), 1), [], 0
    low, high = rank * total // size, (rank + 1) * total // size
    for path, n in zip(files, sizes):
        if not corpus.is_plain_file(path):
            if low <= before + n // 2 < high:
                mine.append(path)
        else:
            start, stop = (_line_start(path, min(max(cut - before, 0), n), n)
                           for cut in (low, high))
            if start < stop:
                mine.append(corpus.Span(path, start, stop))
        before += n
    return mine


def _line_start(path, pos: int, size: int) -> int:
    """The first line start at or after ``pos`` (``size`` at the end)."""
    if pos >= size:
        return size
    with open(path, "rb") as f:
        return corpus.next_line_start(f, pos)


def merge_counts(world: World, raw, max_vocab_size: int, prune) -> dict:
    """Give this rank's ``RawCounts`` every rank's counts; return the totals of the
    counting figures over ranks.

    Words first seen on another rank get provisional ids past this rank's, which no
    token of this rank's scratch files carries. Past ``max_vocab_size`` words the
    rarest are dropped by ``prune`` (``vocab.prune``) as a single count would, from
    the largest ``min_reduce`` any rank reached.
    """
    words = list(raw.index)
    counts = raw.counts[np.fromiter(raw.index.values(), np.int64, len(words))]
    parts = world.comm.allgather((words, counts, raw.min_reduce))
    totals: dict = {}
    for their_words, their_counts, _ in parts:
        for word, count in zip(their_words, their_counts.tolist()):
            totals[word] = totals.get(word, 0) + count
    new = [w for w in totals if w not in raw.index]
    first = len(raw.counts)
    raw.counts = np.concatenate([raw.counts, np.zeros(len(new), np.int64)])
    raw.freed_at = np.concatenate([raw.freed_at, np.zeros(len(raw.counts) - len(raw.freed_at),
                                                          np.int64)])
    raw.index.update(zip(new, range(first, first + len(new))))
    pids = np.fromiter(raw.index.values(), np.int64, len(raw.index))
    raw.counts[pids] = np.fromiter(map(totals.get, raw.index), np.int64, len(raw.index))
    raw.min_reduce = max(part[2] for part in parts)
    tokens, pruned = world.sum([raw.n_tokens, raw.pruned])
    before = raw.pruned
    prune(raw, max_vocab_size)
    return {"raw_tokens": int(tokens), "pruned_while_counting": int(pruned) + raw.pruned - before}


def merged_change(mine: np.ndarray, base: np.ndarray, allreduce) -> np.ndarray:
    """The change to make to rows last merged as ``base`` that this rank changed by
    ``mine`` since; ``allreduce`` sums an array over ranks in place.

    The ranks' changes are added, as threads sharing one matrix add theirs, except
    where the sum is longer than the row itself: there it is shrunk toward the
    ranks' mean as far as their changes agree, by the factor
    ``max(sum |m_r|^2 / |sum m_r|^2, |base| / |sum m_r|)`` (at most 1), which is 1/N
    for N equal changes and 1 for orthogonal ones. Between merges, N ranks push a
    frequent word's row the same way N times over, and a plain sum overshot: 3 and
    4 ranks diverged (module docstring).
    """
    data = np.empty((len(mine), mine.shape[1] + 1), dtype=np.float32)
    data[:, :-1] = mine
    data[:, -1] = np.einsum("ij,ij->i", mine, mine)
    allreduce(data)
    total = data[:, :-1]
    length = np.maximum(np.einsum("ij,ij->i", total, total), 1e-30)
    agreement = data[:, -1] / length
    room = np.sqrt(np.einsum("ij,ij->i", base, base) / length)
    total *= np.minimum(1.0, np.maximum(agreement, room))[:, None]
    return total


def prefix_rows(tick: int, n_rows: int) -> int:
    """Rows merged at ``tick`` (1, 2, ...): tiers 0..m where ``2**m`` divides it."""
    tiers = (tick & -tick).bit_length()  # m + 1: the trailing zero bits plus one
    return min(FIRST_TIER * ((1 << tiers) - 1), n_rows)


class Syncer(threading.Thread):
    """The thread that merges the frequent rows across ranks while an epoch trains.

    Every ``interval`` seconds it first sums a control vector over ranks (ranks
    finished, ranks interrupted, tokens done), then merges ``prefix_rows`` rows
    of each matrix. All ranks make the same calls in the same order, so they meet
    at every allreduce; it ends when every rank has called ``finish``. Waits poll a
    non-blocking allreduce and sleep, so a waiting rank leaves its core to training.
    ``parts``: (rows, the same rows as last merged) for each run of rows in count
    order (``Team.shared_parts``), each merged by its own tiers.
    """

    def __init__(self, world: World, parts: list, interval: float):
        super().__init__(name="wordvec-sync", daemon=True)
        self.world, self.parts, self.interval = world, parts, interval
        self.done = 0  # this rank's tokens trained, set by the training loop
        self.others = 0  # the other ranks' tokens at the last tick
        self.stopped = False  # another rank was interrupted: stop training
        self.ticks, self.seconds, self.bytes = 0, 0.0, 0
        self.failure: BaseException | None = None
        self._finished = self._interrupted = 0
        self._wake = threading.Event()

    def finish(self, interrupted: bool) -> None:
        """This rank's epoch is over (or interrupted); returns once all ranks' are."""
        self._finished, self._interrupted = 1, int(interrupted)
        self._wake.set()
        self.join()
        if self.failure is not None:
            raise self.failure

    def run(self) -> None:
        try:
            self._loop()
        except BaseException as exc:  # noqa: BLE001 - raised again in the training thread
            self.failure = exc

    def _loop(self) -> None:
        while True:
            self._wake.wait(self.interval)
            control = np.array([self._finished, self._interrupted, self.done], np.float64)
            mine = self.done
            self._allreduce(control)
            self.others = int(control[2]) - mine
            self.stopped = self.stopped or control[1] > 0
            if control[0] == self.world.size:
                return
            self.ticks += 1
            for matrix, base in self.parts:
                rows = prefix_rows(self.ticks, len(matrix))
                self._merge_live(matrix[:rows], base[:rows])

    def _merge_live(self, matrix: np.ndarray, base: np.ndarray) -> None:
        """Add the other ranks' changes since ``base`` to ``matrix``, keeping what
        training changes meanwhile, and move ``base`` to the merged rows."""
        for rows, was in zip(_blocks(matrix), _blocks(base)):
            mine = rows - was  # this rank's change: a snapshot, training goes on
            change = merged_change(mine, was, self._allreduce)
            was += change
            change -= mine
            rows += change

    def _allreduce(self, data: np.ndarray) -> None:
        mpi, start = self.world.mpi, time.perf_counter()
        request = self.world.comm.Iallreduce(mpi.IN_PLACE, data, op=mpi.SUM)
        while not request.Test():
            time.sleep(POLL_SECONDS)
        self.seconds += time.perf_counter() - start
        self.bytes += data.nbytes


class Alone:
    """One process: the epochs need no one else (``Team``'s interface, doing nothing).

    ``total``: the tokens times epochs this process trains."""

    size = 1

    def __init__(self, total: int):
        self.total = max(total, 1)

    def begin_epoch(self, done: int) -> None:
        """An epoch starts after ``done`` tokens of this process."""

    def progress(self, done: int, tokens: int) -> tuple[float, float]:
        """Progress (0..1) at the first and last token of a chunk of ``tokens`` tokens
        that starts after ``done`` tokens of this process."""
        return done / self.total, (done + tokens) / self.total

    def trained(self, done: int) -> None:
        """This process has trained ``done`` tokens (over all epochs)."""

    def stopped(self) -> bool:
        """True when another rank was interrupted, so this one stops too."""
        return False

    def end_epoch(self, interrupted: bool) -> bool:
        """Finish an epoch; True when training stops (this or another rank interrupted)."""
        return interrupted

    def sum(self, values) -> np.ndarray:
        """The element-wise sum over ranks (float64)."""
        return np.array(values, dtype=np.float64)

    def figures(self) -> dict:
        """What the run measured of its communication (none here)."""
        return {}


class Team(Alone):
    """The ranks training one model together (module docstring).

    ``model``: the kernels' ``Model``; its first ``n_words`` rows of ``w_out`` and all
    of ``w_in`` are shared, and must start the same on every rank. ``total``: this
    rank's tokens times epochs."""

    def __init__(self, world: World, model, n_words: int, total: int, interval: float):
        self.world, self.size, self.interval = world, world.size, interval
        self.parts = self.shared_parts(model, n_words)
        super().__init__(int(world.sum([total])[0]))
        self.base = self.mine = 0  # tokens done when the epoch began: all ranks, this one
        self.syncer: Syncer | None = None
        self.ticks, self.seconds, self.bytes, self.epoch_seconds = 0, 0.0, 0, 0.0

    @staticmethod
    def shared_parts(model, n_words: int) -> list:
        """The rows the ranks share, each run in count order with a copy as last merged:
        the words' input rows, the n-gram rows (subwords; numbered from the most
        used, ``subwords.subword_rows``), the words' output rows (not the threads'
        private copies past them)."""
        runs = [model.w_in[:n_words], model.w_in[n_words:], model.w_out[:n_words]]
        return [(rows, rows.copy()) for rows in runs if len(rows)]

    def begin_epoch(self, done: int) -> None:
        self.mine = done
        self.syncer = Syncer(self.world, self.parts, self.interval)
        self.syncer.start()

    def progress(self, done: int, tokens: int) -> tuple[float, float]:
        """Progress over all ranks: theirs at the last tick plus this rank's now; the
        chunk's last token as if every rank trained as many tokens meanwhile."""
        now = (self.base + self.syncer.others + done - self.mine) / self.total
        return min(now, 1.0), min(now + tokens * self.size / self.total, 1.0)

    def trained(self, done: int) -> None:
        self.syncer.done = done - self.mine

    def stopped(self) -> bool:
        return self.syncer.stopped

    def end_epoch(self, interrupted: bool) -> bool:
        """Wait for every rank's epoch end, merge all rows, and agree on whether to
        stop; a stop signal that comes meanwhile is held until all ranks agree."""
        syncer, start = self.syncer, time.perf_counter()
        with _signals_held() as came:
            syncer.finish(interrupted)
            for matrix, base in self.parts:
                self.world.merge(matrix, base)
            stop = interrupted or syncer.stopped or bool(came)
            done, stops = self.world.sum([syncer.done, stop])
        self.base += int(done)
        self.epoch_seconds += time.perf_counter() - start
        self.ticks, self.seconds = self.ticks + syncer.ticks, self.seconds + syncer.seconds
        self.bytes += syncer.bytes
        return stops > 0

    def sum(self, values) -> np.ndarray:
        return self.world.sum(values)

    def figures(self) -> dict:
        return {"ranks": self.size, "sync_ticks": self.ticks,
                "sync_seconds": round(self.seconds, 3),
                "sync_megabytes": round(self.bytes / 1e6, 3),
                "epoch_end_sync_seconds": round(self.epoch_seconds, 3)}


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def _signals_held():
    """Run the block to its end through Ctrl-C, SIGTERM and SIGHUP (every rank must
    make the same MPI calls); yields the list of those that came. Afterwards each is
    passed to the handler it would have met, with its KeyboardInterrupt swallowed:
    the caller stops by agreement instead (the CLI's handler still records which
    signal it was, for the exit status)."""
    came: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield came  # only the main thread can set handlers, and gets signals
        return
    old = {s: signal.signal(s, lambda signum, _: came.append(signum)) for s in STOP_SIGNALS}
    try:
        yield came
    finally:
        for signum, handler in old.items():
            signal.signal(signum, handler)
    for signum in came:
        if callable(old[signum]):
            with contextlib.suppress(KeyboardInterrupt):
                old[signum](signum, None)
