"""Numba kernels for skip-gram and CBOW with negative sampling. Private: use ``trainer.py``.

Every function here takes arrays, scalars and the three named tuples below, and
raises nothing: the caller checks dtypes, shapes and ranges first. Weights are
float32 C-contiguous, ids int32, offsets and RNG states int64. The leaf helpers
(RNG and noise draws, clipped exp, logistic step, row arithmetic, prefetch,
atomics, block split) live in ``_kernel_utils.py``, so this module reads as the
algorithm.

Roles follow word2vec.c: for a pair (centre word, context word) the *input* vector
is the context word's row of ``w_in`` and the *output* vectors are rows of
``w_out`` for the centre word (label 1) and for the noise words (label 0).
Mikolov et al. 2013, "Distributed Representations of Words and Phrases and their
Compositionality": section 2.2 (negative sampling), section 2.3 (subsampling).
Scores beyond +-6 saturate the gradient exactly as in word2vec.c
(``logistic_step``).

Speed: the pair loop is bound by cache misses on the rows of random noise words,
so each centre word's noise words are drawn one centre ahead and their rows
prefetched (``llvm.prefetch``; a no-op without JIT). Drawing ahead keeps the
random stream in training order, so it changes no result.

Threads: the output rows of the most frequent words are targets in a large share
of all pairs (the top 1024 rows take about 38% of noise draws in English), so
under plain Hogwild their cache lines move between the cores on almost every
write. With several threads each thread therefore trains private copies of the
first ``hot`` rows of ``w_out`` (ids are in count order), kept in spare rows at
the end of ``w_out``, and adds what it changed to the shared rows every
``SYNC_TOKENS`` tokens (``sync_private_rows``, one thread at a time). A thread sees
the other threads' updates to those rows at most two sync periods late.
"""

import math
from collections import namedtuple

import numpy as np
from numba import njit, prange

from ._kernel_utils import (
    FAST,
    ONE,
    SIGMOID_CLIP,  # noqa: F401 - the trainer's loss probe clips alike
    ZERO,
    axpy_row,
    block_bounds,
    dot_rows,
    draw_noise,
    lcg_next,
    logistic_step,
    prefetch_row,
    scaled_draw,
    spin_lock,
    spin_unlock,
)

MAX_SENTENCE_LEN = 10_000  # same as corpus.MAX_SENTENCE_LEN; a kernel buffer size
KEEP_ALWAYS = 1 << 32  # a subsampling threshold that keeps the word without a draw
SYNC_TOKENS = 8192  # a thread merges its private hot rows into w_out this often

Model = namedtuple("Model", ["w_in", "w_out", "lockf", "keep", "noise", "in_offsets",
                             "in_rows"])
Model.__doc__ = """What is trained, shared by all threads.

w_in : float32 (n_rows, dim), input vectors: one row per word, then (subwords) one
    per character n-gram bucket in use.
w_out : float32 (n_words + spare, dim), output vectors; the spare rows hold each
    thread's private copy of the hot rows.
lockf : float32 (n_rows,), multiplier on each input row's updates: 1 trains it, 0
    keeps it fixed (``--freeze-init``); gensim's ``lockf``.
keep : int64 (n_words,), subsampling thresholds (``Vocab.keep_thresholds``).
noise : int64 (n_words,), the noise alias table (``Vocab.noise_table``).
in_offsets, in_rows : int64 (n_words + 1,), int32: word ``w``'s input vector is the
    mean of rows ``in_rows[in_offsets[w]:in_offsets[w + 1]]`` of ``w_in`` (its own,
    then its n-grams'; ``subwords.subword_rows``). Read by the CBOW and subword
    updates; word-only skip-gram reads none and gets them empty (``[0]``, ``[]``).
"""

Settings = namedtuple("Settings", ["window", "negative", "corrected", "shrink"])
Settings.__doc__ = """How to train: ``window`` (int, at least 1; a whole-sequence window
is the longest sequence) and ``negative`` (int) as in TrainConfig; ``shrink`` (bool):
each centre draws its reach in [1, window], else it is ``window``; ``corrected``
(bool): CBOW's true gradient of the mean, else word2vec.c's update."""

Kind = namedtuple("Kind", ["cbow", "subwords", "shared", "pair"])
Kind.__doc__ = """Which update the kernels run: one field True, the others None.
``cbow``: CBOW over ``in_rows`` (``cbow_updates``); ``subwords``: fastText's
skip-gram over ``in_rows`` (``subword_updates``); ``shared``: skip-gram with one draw
of noise words per centre word; ``pair``: word2vec.c's skip-gram, one draw per pair.

The kernels take the four as separate arguments (``*kind``), not as one tuple, so
that Numba compiles only the update a run uses: Numba's dead-branch pruning removes
a branch on ``arg is not None`` before compiling when it can tell the answer from
the argument's type, which it can for None but not for True (a bool). So every update
has its own test: the one whose argument is True stays, and the tests after it, all
on None, are removed; a final ``else`` would have been compiled in every run."""


def kind_of(cbow: bool, subwords: bool, shared: bool) -> Kind:
    """The ``Kind`` for three flags (True or False); CBOW wins over subwords (its
    kernel reads the n-gram rows itself), and either over ``shared``."""
    chosen = "cbow" if cbow else "subwords" if subwords else "shared" if shared else "pair"
    return Kind(*(True if field == chosen else None for field in Kind._fields))

Work = namedtuple("Work", ["buf", "targets", "grad", "contexts", "g", "delta", "snapshot",
                           "hot", "shift", "hidden"])
Work.__doc__ = """One thread's scratch space and private rows, made by ``make_work``.

buf : int32 (MAX_SENTENCE_LEN,), the subsampled sentence.
targets : int32 (4 window, negative + 1), two centres' worth of target rows (the
    centre word then its noise words), one row per pair or per centre.
grad : float32 (1, dim), the input row's gradient in ``sgns_update``.
contexts, g, delta : int32 (2 window,), float32 (2 window, negative + 1) and
    float32 (2 window + negative + 1, dim): ``shared_update``'s context ids, step
    sizes, and input-row then output-row updates.
snapshot : float32 (hot, dim), the private rows as last merged.
hot, shift : words below ``hot`` train their output row at ``word + shift``
    (this thread's copy); ``hot`` 0 trains the shared rows directly.
hidden : float32 (2, dim), ``subword_updates``' input vector and summed gradient
    (``cbow_updates``: the context mean in row 0).
"""


@njit(cache=True)
def make_work(model, settings, hot, copy):
    """The work bundle of the thread that trains private copy number ``copy``."""
    dim, window, negative = model.w_in.shape[1], settings.window, settings.negative
    return Work(np.empty(MAX_SENTENCE_LEN, dtype=np.int32),
                np.empty((4 * window, negative + 1), dtype=np.int32),
                np.empty((1, dim), dtype=np.float32),
                np.empty(2 * window, dtype=np.int32),
                np.empty((2 * window, negative + 1), dtype=np.float32),
                np.empty((2 * window + negative + 1, dim), dtype=np.float32),
                np.empty((hot, dim), dtype=np.float32),
                hot, model.keep.shape[0] + copy * hot, np.empty((2, dim), dtype=np.float32))


@njit(cache=True)
def subsample(sent, keep, state, buf):
    """Copy the tokens of ``sent`` that survive subsampling into ``buf``.

    Parameters
    ----------
    sent : int32 array, shape (n,)
    keep : int64 array, shape (n_words,)
        Keep thresholds: a token is kept when a 32-bit draw is below it; words at
        ``KEEP_ALWAYS`` are kept without a draw.
    state : int64
    buf : int32 array, shape (>= n,)

    Returns
    -------
    n_kept : int, state : int64
    """
    n = 0
    for k in range(sent.shape[0]):
        word = sent[k]
        if keep[word] < KEEP_ALWAYS:
            state = lcg_next(state)
            if (state >> 16) >= keep[word]:
                continue
        buf[n] = word
        n += 1
    return n, state


@njit(cache=True, inline="always")
def draw_targets(word, noise, state, targets, row, hot, shift):
    """Fill ``targets[row]`` with the positive ``word`` then noise words; return the state.

    Words below ``hot`` are written as their private row ``word + shift``.
    """
    targets[row, 0] = word + shift if word < hot else word
    for k in range(1, targets.shape[1]):
        state = lcg_next(state)
        noise_word = draw_noise(noise, state)
        targets[row, k] = noise_word + shift if noise_word < hot else noise_word
    return state


@njit(cache=True, inline="always")
def sgns_update(w_in, context, w_out, work, row, alpha, prob, lockf):
    """One SGNS step for the pair (``w_in[context]``, centre), targets ``work.targets[row]``.

    The centre word comes first (label 1), then noise words (label 0); a noise word
    equal to the centre word is skipped, as in word2vec.c. Each target's output row
    is updated at once; the input row ``context`` last, by ``lockf`` times the
    summed gradient, which stays in ``work.grad[0]``. Loss per pair: -log
    s(x.y_pos) - sum log s(-x.y_neg). Returns (prob, loss) as ``logistic_step``
    keeps them (summed over targets).
    """
    grad, targets = work.grad, work.targets
    for d in range(grad.shape[1]):
        grad[0, d] = ZERO
    loss = 0.0
    for k in range(targets.shape[1]):
        target = targets[row, k]
        if k > 0 and target == targets[row, 0]:
            continue
        g, prob, part = logistic_step(dot_rows(w_in, context, w_out, target), k == 0,
                                      alpha, prob)
        loss += part
        axpy_row(g, w_out, target, grad, 0)
        axpy_row(g, w_in, context, w_out, target)
    axpy_row(lockf, grad, 0, w_in, context)
    return prob, loss


@njit(cache=True, inline="always")
def window_span(i, n, settings, state):
    """Positions [start, stop) of centre ``i``'s window in a sentence of ``n`` kept words.

    The reach is drawn uniformly in [1, window] (word2vec.c's shrunk window), or is
    ``window`` without a draw when ``settings.shrink`` is off, and is cut at the
    sentence's ends. Returns (start, stop, state).
    """
    reach = settings.window
    if settings.shrink:
        state = lcg_next(state)
        reach -= scaled_draw(state, reach)
    return max(0, i - reach), min(n, i + reach + 1), state


@njit(cache=True, inline="always")
def draw_centre(n, i, model, settings, state, work, base, shared):
    """Draw centre ``i``'s window and its noise words, and prefetch the rows they touch.

    Row ``base + a`` of ``work.targets`` gets the targets of the centre's ``a``-th
    context (one set per pair), or row ``base`` one set for all when ``shared``.
    Prefetched: those output rows, and the input row of the window's last word (the
    others were in the previous centres' windows). The random draws come in the
    order the pairs are trained, so drawing one centre ahead changes no result; it
    gives the prefetches time to land. Returns (start, stop, state).
    """
    buf, targets = work.buf, work.targets
    start, stop, state = window_span(i, n, settings, state)
    prefetch_row(model.w_in, buf[stop - 1])
    sets = min(stop - start - 1, 1) if shared else stop - start - 1
    for a in range(sets):
        state = draw_targets(buf[i], model.noise, state, targets, base + a, work.hot,
                             work.shift)
        for k in range(targets.shape[1]):
            prefetch_row(model.w_out, targets[base + a, k])
    return start, stop, state


@njit(cache=True, inline="always")
def pair_updates(i, start, stop, model, work, base, alpha, prob):
    """``sgns_update`` for each context ``work.buf[j]`` of centre ``i``, j in [start, stop).

    The ``a``-th context's targets are ``work.targets[base + a]``. Returns (prob,
    loss, pairs).
    """
    loss = 0.0
    a = 0
    for j in range(start, stop):
        if j == i:
            continue
        context = work.buf[j]
        prob, part = sgns_update(model.w_in, context, model.w_out, work, base + a, alpha,
                                 prob, model.lockf[context])
        loss += part
        a += 1
    return prob, loss, a


@njit(cache=True, inline="always")
def shared_update(i, start, stop, model, work, row, alpha, prob):
    """SGNS for centre ``i`` and all its contexts, sharing one set of noise words.

    The (context, target) scores are all computed from the weights as they were
    (a minibatch of ``n_ctx`` pairs), then the input and output rows are updated
    once each, so every row is fetched once per centre word instead of once per
    pair (Ji et al. 2016, "Parallelizing Word2Vec in Shared and Distributed
    Memory"). Targets ``work.targets[row]``; labels, loss and gradient per pair as
    in ``sgns_update``. Returns (prob, loss, pairs).
    """
    w_in, w_out, targets = model.w_in, model.w_out, work.targets
    contexts, g, delta = work.contexts, work.g, work.delta
    n_ctx = 0
    for j in range(start, stop):
        if j != i:
            contexts[n_ctx] = work.buf[j]
            n_ctx += 1
    n_t = targets.shape[1]
    loss = 0.0
    for a in range(n_ctx):
        for k in range(n_t):
            g[a, k] = ZERO
            if k > 0 and targets[row, k] == targets[row, 0]:
                continue
            g[a, k], prob, part = logistic_step(
                dot_rows(w_in, contexts[a], w_out, targets[row, k]), k == 0, alpha, prob)
            loss += part
    for r in range(n_ctx + n_t):
        for d in range(delta.shape[1]):
            delta[r, d] = ZERO
    for a in range(n_ctx):
        for k in range(n_t):
            axpy_row(g[a, k], w_out, targets[row, k], delta, a)
            axpy_row(g[a, k], w_in, contexts[a], delta, n_ctx + k)
    for a in range(n_ctx):
        axpy_row(model.lockf[contexts[a]], delta, a, w_in, contexts[a])
    if n_ctx > 0:  # with no context, draw_centre drew no targets: the row is stale
        for k in range(n_t):
            axpy_row(ONE, delta, n_ctx + k, w_out, targets[row, k])
    return prob, loss, n_ctx


def _skipgram_sentence(centre_updates, shared):
    """The skip-gram sentence kernel for one update: ``centre_updates`` is
    ``pair_updates`` (``shared`` False) or ``shared_update`` (``shared`` True).

    Two kernels are made from this one text, rather than one kernel branching on a
    flag, so that a run compiles only the update it uses (see ``Kind``).
    """

    def train_sentence(n, model, settings, alpha, state, work):
        """Train every (context, centre) pair of one subsampled sentence ``work.buf[:n]``.

        Each centre word draws its own window in [1, window] (word2vec.c's shrunk
        window), and windows stop at the sentence's ends. The next centre's noise
        words are drawn (and their rows prefetched) before this centre's pairs are
        trained, into the other half of ``work.targets``. Returns (loss, pairs, state).

        Inlined into ``train_block`` (which carries its fastmath flags): a call per
        sentence would reference-count every array of ``model`` and ``work`` with
        atomic operations on counters that all threads share.
        """
        half = work.targets.shape[0] // 2
        loss = 0.0
        prob = 1.0
        pairs = 0
        start, stop = 0, 0
        for i in range(n + 1):  # draw centre i, train centre i - 1: one draw_centre to inline
            base = (i & 1) * half
            next_start, next_stop = 0, 0
            if i < n:
                next_start, next_stop, state = draw_centre(n, i, model, settings, state, work,
                                                           base, shared)
            if i > 0:
                prob, part, count = centre_updates(i - 1, start, stop, model, work, half - base,
                                                   alpha, prob)
                loss += part
                pairs += count
            start, stop = next_start, next_stop
        return loss - math.log(prob), pairs, state

    # Only ever inlined (never compiled on its own), so nothing to cache.
    return njit(fastmath=FAST, inline="always")(train_sentence)


pair_sentence = _skipgram_sentence(pair_updates, False)  # word2vec.c's update
shared_sentence = _skipgram_sentence(shared_update, True)  # --shared-negatives


@njit(cache=True, fastmath=FAST, inline="always")
def subword_updates(n, model, settings, alpha, state, work):
    """fastText's skip-gram over one subsampled sentence ``work.buf[:n]``.

    Bojanowski et al. 2017 and fastText's ``FastText::skipgram``: the input is the
    *centre* word's vector, the mean ``h`` of its rows ``in_rows`` (its own and its
    n-grams'), and each context word in the shrunk window is a positive target with
    ``negative`` noise words drawn per pair (word2vec.c has the roles the other
    way round). Every row in the mean gets the whole gradient (a row listed twice,
    twice), as in fastText, so after each pair ``h`` moves by the gradient times
    ``share``, the sum over the listed rows of ``lockf`` times how often the row is
    listed, over their number. The rows themselves are written once per centre
    with the summed gradient: the same arithmetic, seen by other threads a few
    pairs later. Returns (loss, pairs, state).
    """
    w_in, w_out, buf, hidden, grad = model.w_in, model.w_out, work.buf, work.hidden, work.grad
    first, rows, dim = model.in_offsets, model.in_rows, w_in.shape[1]
    loss, prob, pairs = 0.0, 1.0, 0
    for i in range(n):
        if i + 1 < n:
            for p in range(first[buf[i + 1]], first[buf[i + 1] + 1]):
                prefetch_row(w_in, rows[p])
        start, stop, state = window_span(i, n, settings, state)
        a = 0
        for j in range(start, stop):  # every pair's targets now (the draws keep their
            if j != i:                 # order), so their rows load while h is summed
                state = draw_targets(buf[j], model.noise, state, work.targets, a, work.hot,
                                     work.shift)
                for k in range(work.targets.shape[1]):
                    prefetch_row(w_out, work.targets[a, k])
                a += 1
        lo, hi = first[buf[i]], first[buf[i] + 1]
        share = ZERO
        for d in range(dim):
            hidden[0, d] = ZERO
            hidden[1, d] = ZERO
        p = lo
        while p < hi:  # a row listed c times (adjacent: sorted) moves c times, counts c
            q = p
            while q < hi and rows[q] == rows[p]:
                axpy_row(ONE, w_in, rows[q], hidden, 0)
                q += 1
            share += model.lockf[rows[p]] * np.float32((q - p) * (q - p))
            p = q
        scale = np.float32(1.0 / (hi - lo))
        for d in range(dim):
            hidden[0, d] *= scale
        for b in range(a):
            prob, part = sgns_update(hidden, 0, w_out, work, b, alpha, prob, share * scale)
            loss += part
            axpy_row(ONE, grad, 0, hidden, 1)
        pairs += a
        for p in range(lo, hi):
            axpy_row(model.lockf[rows[p]], hidden, 1, w_in, rows[p])
    return loss - math.log(prob), pairs, state


@njit(cache=True, fastmath=FAST, inline="always")
def cbow_updates(n, model, settings, alpha, state, work):
    """CBOW over one subsampled sentence ``work.buf[:n]``; one example per centre word.

    Mikolov et al. 2013a ("Efficient Estimation of Word Representations in Vector
    Space") and word2vec.c's ``cbow``: the input ``h`` is the mean over the centre's
    contexts in the shrunk window of each context's vector (its rows ``in_rows``
    averaged: its own row, plus its n-grams' with subwords); the targets are the
    centre word (label 1) and ``negative`` noise words drawn for the centre. With no
    context in the window the centre is skipped, drawing no noise (word2vec.c).

    ``settings.corrected``: each of a context's ``m`` rows moves by the true gradient
    of the loss, the gradient at ``h`` over ``n_ctx * m`` (İrsoy, Benton and Stratos
    2021, "Corrected CBOW Performs as well as Skip-gram"). Otherwise every row moves
    by the whole gradient at ``h``, as word2vec.c and fastText do. Rows move by their
    ``lockf`` times that. A context seen twice in the window counts twice, in ``h``
    and in its update. Each centre's window and noise words are drawn while the
    previous centre trains (in ``targets`` rows ``i & 1``), so their rows load
    meanwhile; the draws keep their order, so this changes no result. Returns (loss,
    examples, state).
    """
    w_in, w_out, buf, hidden, grad = model.w_in, model.w_out, work.buf, work.hidden, work.grad
    first, rows, targets = model.in_offsets, model.in_rows, work.targets
    loss, prob, examples = 0.0, 1.0, 0
    start, stop = 0, 0
    for i in range(n + 1):  # draw centre i's window and targets, train centre i - 1
        next_start, next_stop = 0, 0
        if i < n:
            next_start, next_stop, state = window_span(i, n, settings, state)
            if next_stop - next_start > 1:
                state = draw_targets(buf[i], model.noise, state, targets, i & 1, work.hot,
                                     work.shift)
                for k in range(targets.shape[1]):  # they load while centre i - 1 trains
                    prefetch_row(w_out, targets[i & 1, k])
        c = i - 1
        n_ctx = stop - start - 1
        if c >= 0 and n_ctx > 0:
            for d in range(w_in.shape[1]):
                hidden[0, d] = ZERO
            for j in range(start, stop):
                if j != c:
                    lo, hi = first[buf[j]], first[buf[j] + 1]
                    weight = ONE / np.float32((hi - lo) * n_ctx)
                    for p in range(lo, hi):
                        axpy_row(weight, w_in, rows[p], hidden, 0)
            prob, part = sgns_update(hidden, 0, w_out, work, c & 1, alpha, prob, ZERO)
            loss += part
            examples += 1
            for j in range(start, stop):
                if j != c:
                    lo, hi = first[buf[j]], first[buf[j] + 1]
                    step = ONE / np.float32((hi - lo) * n_ctx) if settings.corrected else ONE
                    for p in range(lo, hi):
                        axpy_row(model.lockf[rows[p]] * step, grad, 0, w_in, rows[p])
        start, stop = next_start, next_stop
    return loss - math.log(prob), examples, state


@njit(cache=True)
def copy_hot_rows(w_out, work):
    """Start a thread's private rows: ``w_out[shift + r]`` and ``snapshot[r]`` get ``w_out[r]``."""
    for r in range(work.hot):
        for d in range(w_out.shape[1]):
            work.snapshot[r, d] = w_out[r, d]
            w_out[work.shift + r, d] = w_out[r, d]


@njit(cache=True)
def sync_private_rows(w_out, work, lock):
    """Add a thread's changes to its private rows to the shared rows; refresh its copy.

    For r < hot: ``w_out[r] += w_out[shift + r] - snapshot[r]`` (what this thread
    changed since its last sync), then its copy and the snapshot take the new
    shared row, which also holds what the other threads have merged. The merge is
    a read-then-write of the shared rows, so it runs under the spin lock ``lock``
    (int64, shape (1,)): two threads merging the same row at once would otherwise
    lose one's whole sync period of updates. A merge takes about 0.1 ms per 1024
    rows of 100 floats, every ``SYNC_TOKENS`` tokens, so threads seldom wait.
    """
    shift, snapshot = work.shift, work.snapshot
    spin_lock(lock)
    for r in range(work.hot):
        for d in range(w_out.shape[1]):
            value = w_out[r, d] + (w_out[shift + r, d] - snapshot[r, d])
            w_out[r, d] = value
            w_out[shift + r, d] = value
            snapshot[r, d] = value
    spin_unlock(lock)


@njit(cache=True, fastmath=FAST)
def train_block(ids, offsets, model, settings, alphas, state, work, lock, cbow, subwords,
                shared, pair):
    """Train the sentences ``offsets[s]:offsets[s + 1]`` of ``ids``, one after another.

    ``alphas`` (float64, shape (2,)) gives the learning rate at the block's first
    and last token; it falls linearly by position in between. The thread's private
    rows (``work``) are merged into the shared rows every ``SYNC_TOKENS`` tokens
    and at the end, under ``lock``. ``cbow``, ``subwords``, ``shared``, ``pair``: the
    update, as the fields of a ``Kind`` (``*kind``). Returns (loss sum, pair count, state);
    a pair is a (word, context) pair for skip-gram, a centre word with its window
    for CBOW.
    """
    state = int(state)  # a Python int without JIT, so the LCG never overflows there
    copy_hot_rows(model.w_out, work)
    first = offsets[0]
    span = max(offsets[offsets.shape[0] - 1] - first, 1)
    loss = 0.0
    pairs = 0
    unsynced = 0
    for s in range(offsets.shape[0] - 1):
        start = offsets[s]
        alpha = np.float32(alphas[0] + (alphas[1] - alphas[0]) * ((start - first) / span))
        n, state = subsample(ids[start:offsets[s + 1]], model.keep, state, work.buf)
        part, count = 0.0, 0
        if cbow is not None:  # the tests on None are pruned before compiling (see Kind)
            part, count, state = cbow_updates(n, model, settings, alpha, state, work)
        elif subwords is not None:
            part, count, state = subword_updates(n, model, settings, alpha, state, work)
        elif shared is not None:
            part, count, state = shared_sentence(n, model, settings, alpha, state, work)
        elif pair is not None:
            part, count, state = pair_sentence(n, model, settings, alpha, state, work)
        loss += part
        pairs += count
        unsynced += offsets[s + 1] - start
        if unsynced >= SYNC_TOKENS:
            sync_private_rows(model.w_out, work, lock)
            unsynced = 0
    sync_private_rows(model.w_out, work, lock)
    return loss, pairs, state


@njit(parallel=True, cache=True, nogil=True)
def train_chunk(ids, offsets, model, settings, alphas, rng_states, hot, cbow, subwords,
                shared, pair):
    """Train one chunk of sentences on all threads, Hogwild style.

    The sentences are split into ``len(rng_states)`` blocks, one per thread; each
    block has its own RNG state (updated in place), loss slot and work bundle.
    Rows of ``w_in`` and ``w_out`` are updated without locks (Hogwild, Recht et al.
    2011), so runs on more than one thread are not bit-reproducible. With ``hot``
    above 0, block ``b`` trains a private copy of the ``hot`` most frequent words'
    output rows at row ``n_words + b * hot`` (``model.w_out`` must have those
    spare rows). ``cbow``, ``subwords``, ``shared``, ``pair``: the update (``*kind``, see
    ``Kind``). Returns float64 array, shape (n_blocks, 2): loss sum and pair count
    per block.
    """
    n_blocks = rng_states.shape[0]
    bounds = block_bounds(offsets, n_blocks)
    # np.empty and a plain store, not np.zeros: under parallel=True, np.zeros becomes a
    # parallel loop of its own, which costs a second compile of a threaded function.
    losses = np.empty((n_blocks, 2), dtype=np.float64)  # every entry is written below
    lock = np.empty(1, dtype=np.int64)  # held by a block while it merges its private rows
    lock[0] = 0
    for b in prange(n_blocks):
        work = make_work(model, settings, hot, np.int64(b))  # one type in and out of prange
        part = offsets[bounds[b]:bounds[b + 1] + 1]
        loss, pairs, state = train_block(ids, part, model, settings, alphas, rng_states[b],
                                         work, lock, cbow, subwords, shared, pair)
        losses[b, 0] = loss
        losses[b, 1] = pairs
        rng_states[b] = state
    return losses
