"""Numba kernels for skip-gram with negative sampling (SGNS). Private: use ``trainer.py``.

Every function here takes arrays and scalars only, and raises nothing: the caller
checks dtypes, shapes and ranges first. Weights are float32 C-contiguous, ids
int32, offsets and RNG states int64.

Roles follow word2vec.c: for a pair (centre word, context word) the *input* vector
is the context word's row of ``w_in`` and the *output* vectors are rows of
``w_out`` for the centre word (label 1) and for the noise words (label 0).
Mikolov et al. 2013, "Distributed Representations of Words and Phrases and their
Compositionality": section 2.2 (negative sampling), section 2.3 (subsampling).

RNG: a 48-bit linear congruential generator with the drand48 constants that
word2vec.c uses, stepped once per draw; draws read its top 32 bits. The state is
a plain int64, masked after each step, so the code means the same in Numba and
in pure Python (``NUMBA_DISABLE_JIT=1``).

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

import numpy as np
from llvmlite import ir
from numba import config, njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic

MAX_SENTENCE_LEN = 10_000  # same as corpus.MAX_SENTENCE_LEN; a kernel buffer size
SIGMOID_CLIP = np.float32(6.0)  # scores are clipped to +-6 before the sigmoid, as word2vec.c
KEEP_ALWAYS = 1 << 32  # a subsampling threshold that keeps the word without a draw
KEEP_FROZEN = 1 << 40  # flag in a keep threshold: the word's input vector is not trained
KEEP_MASK = (1 << 33) - 1
FROZEN_ID = 1 << 30  # flag on a kept token's id (ids stay below 2**30)
ID_MASK = FROZEN_ID - 1
LCG_MULT = 25214903917
LCG_INC = 11
LCG_MASK = (1 << 48) - 1
LOSS_FLUSH = 1e-200  # take the log of the running product before it can underflow
ONE = np.float32(1.0)
ZERO = np.float32(0.0)
LOG2E = np.float32(1.4426950408889634)
LN2_HI = np.float32(0.693359375)  # ln 2 split in two, so n * LN2_HI is exact
LN2_LO = np.float32(-2.12194440e-4)
# Taylor coefficients 1/k! for exp on [-ln2/2, ln2/2]; degree 6 is within 3e-8 there.
EXP_C2, EXP_C3, EXP_C4 = np.float32(1 / 2), np.float32(1 / 6), np.float32(1 / 24)
EXP_C5, EXP_C6 = np.float32(1 / 120), np.float32(1 / 720)
POW2_BIAS = 16  # 2**n for n in [-16, 16] is built as (1 << (n + 16)) / 2**16
POW2_SCALE = np.float32(1.0 / (1 << 16))
# Reassociation lets LLVM vectorise the float32 reductions; no nnan/ninf, so NaN
# still propagates and divergence stays detectable. The hot helpers are inlined at
# the Numba IR level (inline="always"): as separate functions, every call would
# reference-count its array arguments with atomic operations shared by all threads.
# Inlined code takes the caller's flags, so train_sentence carries FAST too.
FAST = {"nsz", "arcp", "contract", "afn", "reassoc"}
CACHE_LINE_FLOATS = 16  # 64-byte cache lines of float32
SYNC_TOKENS = 8192  # a thread merges its private hot rows into w_out this often


def _prefetch_codegen(context, builder, sig, args):
    """LLVM for ``prefetch(matrix, row, col)``: llvm.prefetch of that element's address."""
    aryty = sig.args[0]
    ary = context.make_array(aryty)(context, builder, args[0])
    index = [context.cast(builder, v, t, types.intp) for v, t in zip(args[1:], sig.args[1:])]
    ptr = cgutils.get_item_pointer(context, builder, aryty, ary, index)
    i8p, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
    fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
    fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
    # for writing (1: the rows are updated right after), all cache levels (3), data (1)
    builder.call(fn, [builder.bitcast(ptr, i8p), i32(1), i32(3), i32(1)])
    return context.get_dummy_value()


def _cas_codegen(context, builder, sig, args):
    """LLVM for ``compare_and_swap``: a sequentially consistent cmpxchg on one element."""
    aryty = sig.args[0]
    ary = context.make_array(aryty)(context, builder, args[0])
    index = context.cast(builder, args[1], sig.args[1], types.intp)
    ptr = cgutils.get_item_pointer(context, builder, aryty, ary, [index])
    expected = context.cast(builder, args[2], sig.args[2], types.int64)
    new = context.cast(builder, args[3], sig.args[3], types.int64)
    pair = builder.cmpxchg(ptr, expected, new, "seq_cst", "seq_cst")
    return builder.extract_value(pair, 0)


if config.DISABLE_JIT:
    def prefetch(matrix, row, col):
        """Without JIT there is nothing to prefetch into."""

    def compare_and_swap(flags, i, expected, new):
        """Without JIT prange runs serially, so a plain compare and set is atomic."""
        old = flags[i]
        if old == expected:
            flags[i] = new
        return old
else:
    @intrinsic
    def prefetch(typingctx, matrix, row, col):
        """Hint the CPU to load the cache line of ``matrix[row, col]``; no effect on results."""
        return types.void(matrix, row, col), _prefetch_codegen

    @intrinsic
    def compare_and_swap(typingctx, flags, i, expected, new):
        """Atomically: ``old = flags[i]; if old == expected: flags[i] = new``; return old.

        ``flags`` is an int64 array shared by the threads.
        """
        return types.int64(flags, i, expected, new), _cas_codegen


@njit(cache=True, inline="always")
def lcg_next(state):
    """Next state of the 48-bit LCG (int64 in, int64 out); ``state >> 16`` is 32 random bits."""
    return (state * LCG_MULT + LCG_INC) & LCG_MASK


@njit(cache=True, inline="always")
def scaled_draw(state, n):
    """Map the top 32 bits of ``state`` to [0, n) by multiply-shift (no modulo bias trap)."""
    return ((state >> 16) * n) >> 32


@njit(cache=True, fastmath=FAST, inline="always")
def exp_clipped(x):
    """exp(x) in float32 for |x| <= SIGMOID_CLIP, without a libm call.

    A call to expf in the pair loop forces the vector registers to be saved and
    cleared around it; inlined arithmetic does not. Range reduction
    x = n ln2 + r, |r| <= ln2/2, then a degree-6 polynomial for exp(r) (relative
    error under 1e-7, float32 rounding level) times 2**n built from an integer.
    """
    # Truncating a positive number is floor, and avoids a call to floorf.
    n = np.int32(x * LOG2E + np.float32(0.5 + POW2_BIAS)) - POW2_BIAS
    r = x - np.float32(n) * LN2_HI - np.float32(n) * LN2_LO
    poly = ONE + r * (ONE + r * (EXP_C2 + r * (EXP_C3 + r * (EXP_C4 + r * (EXP_C5 + r * EXP_C6)))))
    return poly * (np.float32(1 << (n + POW2_BIAS)) * POW2_SCALE)


@njit(cache=True, fastmath=FAST, inline="always")
def dot_rows(a, i, b, j):
    """Dot product of rows ``a[i]`` and ``b[j]`` of float32 matrices, in float32.

    Rows are indexed in place rather than sliced: a slice is a new array object
    whose reference counting costs atomic operations on the shared matrix.
    """
    acc = ZERO
    for d in range(a.shape[1]):
        acc += a[i, d] * b[j, d]
    return acc


@njit(cache=True, inline="always")
def prefetch_row(a, i):
    """Start loading row ``a[i]`` into cache (every line it touches); results unchanged."""
    for d in range(0, a.shape[1], CACHE_LINE_FLOATS):
        prefetch(a, i, d)
    prefetch(a, i, a.shape[1] - 1)  # rows need not start on a line boundary


@njit(cache=True, fastmath=FAST, inline="always")
def axpy_row(alpha, x, i, y, j):
    """y[j] += alpha * x[i] for rows of float32 matrices (in place)."""
    for d in range(x.shape[1]):
        y[j, d] += alpha * x[i, d]


@njit(cache=True)
def subsample(sent, keep, state, buf):
    """Copy the tokens of ``sent`` that survive subsampling into ``buf``.

    Parameters
    ----------
    sent : int32 array, shape (n,)
    keep : int64 array, shape (n_words,)
        Keep thresholds: a token is kept when a 32-bit draw is below it; words at
        ``KEEP_ALWAYS`` are kept without a draw. A word whose threshold carries
        ``KEEP_FROZEN`` is copied with ``FROZEN_ID`` set on its id.
    state : int64
    buf : int32 array, shape (>= n,)

    Returns
    -------
    n_kept : int, state : int64
    """
    n = 0
    for k in range(sent.shape[0]):
        word = sent[k]
        threshold = keep[word] & KEEP_MASK
        if threshold < KEEP_ALWAYS:
            state = lcg_next(state)
            if (state >> 16) >= threshold:
                continue
        buf[n] = word | FROZEN_ID if keep[word] >= KEEP_FROZEN else word
        n += 1
    return n, state


@njit(cache=True, inline="always")
def draw_noise(noise, state):
    """One noise word from the alias table ``noise`` (int64, ``alias << 32 | accept``).

    The top 32 bits of the state pick a bucket by multiply-shift; the low 32 bits of
    that product are uniform within the bucket and decide between its two words.
    """
    spread = (state >> 16) * noise.shape[0]
    bucket = spread >> 32
    entry = noise[bucket]
    if (spread & 0xFFFFFFFF) < (entry & 0xFFFFFFFF):
        return bucket
    return entry >> 32


@njit(cache=True, inline="always")
def output_row(word, private):
    """Row of ``w_out`` that holds ``word``'s output vector for this thread.

    private : (hot, shift); words below ``hot`` use this thread's copy at
    ``word + shift``. With ``hot`` 0 every word uses its own row.
    """
    hot, shift = private
    return word + shift if word < hot else word


@njit(cache=True, inline="always")
def draw_targets(word, noise, state, targets, row, private):
    """Fill ``targets[row]`` with the positive ``word`` then noise words.

    noise : int64 array, shape (n_words,), the alias table of ``Vocab.noise_table``.
    targets : int32 array, shape (rows, negative + 1); gets rows of ``w_out``, as
        ``output_row`` maps them with ``private``.
    Returns the new state.
    """
    targets[row, 0] = output_row(word, private)
    for k in range(1, targets.shape[1]):
        state = lcg_next(state)
        targets[row, k] = output_row(draw_noise(noise, state), private)
    return state


@njit(cache=True, inline="always")
def sgns_update(w_in, context, w_out, targets, row, alpha, grad, prob):
    """One SGNS step for one (context, centre) pair, with the targets ``targets[row]``.

    Parameters
    ----------
    w_in : float32 array, shape (n_words, dim)
        Input vectors; row ``context`` is updated in place after the output rows.
    context : int
        Row of the context word; with ``FROZEN_ID`` set, that row is not updated.
    w_out : float32 array, shape (n_words, dim)
        Output vectors; rows ``targets`` updated in place.
    targets : int32 array, shape (rows, negative + 1)
        Row ``row``: the centre word first (label 1), then noise words (label 0); a
        noise word equal to the centre word is skipped, as in word2vec.c.
    row : int
    alpha : float32
    grad : float32 array, shape (1, dim)
        Scratch space.
    prob : float64
        Running product of the probabilities of the labels, multiplied on here.

    Returns
    -------
    prob : float64, loss : float64
        The running product, and the minus log of what was folded out of it to keep
        it from underflowing (usually 0). Over a run, the loss is the sum of the
        returned losses minus the log of the final product.

    Notes
    -----
    Loss is -log s(x.y_pos) - sum log s(-x.y_neg) with s the logistic sigmoid,
    scores clipped to +-SIGMOID_CLIP; the gradient step for each target is
    g = alpha * (label - s(score)).
    """
    frozen = context >= FROZEN_ID
    context = context & ID_MASK
    for d in range(grad.shape[1]):
        grad[0, d] = ZERO
    loss = 0.0
    for k in range(targets.shape[1]):
        target = targets[row, k]
        if k > 0 and target == targets[row, 0]:
            continue
        score = min(max(dot_rows(w_in, context, w_out, target), -SIGMOID_CLIP), SIGMOID_CLIP)
        sig = ONE / (ONE + exp_clipped(-score))
        label = ONE if k == 0 else ZERO
        g = (label - sig) * alpha
        prob *= float(sig if k == 0 else ONE - sig)  # float64, also without JIT
        if prob < LOSS_FLUSH:
            loss -= math.log(prob)
            prob = 1.0
        axpy_row(g, w_out, target, grad, 0)
        axpy_row(g, w_in, context, w_out, target)
    if not frozen:
        axpy_row(ONE, grad, 0, w_in, context)
    return prob, loss


@njit(cache=True, inline="always")
def window_span(i, n, window, state):
    """Positions [start, stop) of centre ``i``'s window in a sentence of ``n`` kept words.

    The reach is drawn uniformly in [1, window] (word2vec.c's shrunk window) and is
    cut at the sentence's ends. Returns (start, stop, state).
    """
    state = lcg_next(state)
    reach = window - scaled_draw(state, window)
    return max(0, i - reach), min(n, i + reach + 1), state


@njit(cache=True, inline="always")
def draw_centre(buf, n, i, window, noise, state, targets, base, per_pair, w_in, w_out,
                private):
    """Draw centre ``i``'s window and its noise words, and prefetch the rows they touch.

    Prefetched: the output rows of the targets, and the input row of the window's
    last word (the others were in the previous centres' windows).

    targets : int32 array, shape (rows, negative + 1); row ``base + a`` gets the
        targets of the centre's ``a``-th context when ``per_pair``, else row
        ``base`` gets one set for all its contexts.
    private : (hot, shift), as ``output_row``.
    The random draws come in the order the pairs are trained, so drawing one
    centre ahead changes no result; it gives the prefetches time to land.
    Returns (start, stop, state) as ``window_span``.
    """
    start, stop, state = window_span(i, n, window, state)
    prefetch_row(w_in, buf[stop - 1] & ID_MASK)
    sets = stop - start - 1 if per_pair else min(stop - start - 1, 1)
    for a in range(sets):
        state = draw_targets(buf[i] & ID_MASK, noise, state, targets, base + a, private)
        for k in range(targets.shape[1]):
            prefetch_row(w_out, targets[base + a, k])
    return start, stop, state


@njit(cache=True, inline="always")
def pair_updates(buf, i, start, stop, w_in, w_out, targets, base, alpha, grad, prob):
    """``sgns_update`` for each context ``buf[j]`` of centre ``i``, j in [start, stop).

    The ``a``-th context's targets are ``targets[base + a]``. Returns (prob, loss,
    pairs) with prob and loss as ``sgns_update``.
    """
    loss = 0.0
    a = 0
    for j in range(start, stop):
        if j == i:
            continue
        prob, part = sgns_update(w_in, buf[j], w_out, targets, base + a, alpha, grad, prob)
        loss += part
        a += 1
    return prob, loss, a


@njit(cache=True, inline="always")
def shared_update(buf, i, start, stop, w_in, w_out, targets, row, alpha, scratch, prob):
    """SGNS for centre ``i`` and all its contexts, sharing one set of noise words.

    The (context, target) scores are all computed from the weights as they were
    (a minibatch of ``n_ctx`` pairs), then the input and output rows are updated
    once each, so every row is fetched once per centre word instead of once per
    pair (Ji et al. 2016, "Parallelizing Word2Vec in Shared and Distributed
    Memory"). Targets, labels, loss and gradient per pair are as in ``sgns_update``.

    targets, row : the centre word and its noise words are ``targets[row]``.
    scratch : (int32 (2 window,), float32 (2 window, negative + 1),
               float32 (2 window + negative + 1, dim))
        The contexts' ids (``FROZEN_ID`` set on rows not to update), step sizes g,
        then the input-row updates followed by the output-row updates.
    Returns (prob, loss, pairs) as ``pair_updates``.
    """
    contexts, g, delta = scratch
    n_ctx = 0
    for j in range(start, stop):
        if j != i:
            contexts[n_ctx] = buf[j]
            n_ctx += 1
    n_t = targets.shape[1]
    loss = 0.0
    for a in range(n_ctx):
        for k in range(n_t):
            g[a, k] = ZERO
            if k > 0 and targets[row, k] == targets[row, 0]:
                continue
            score = dot_rows(w_in, contexts[a] & ID_MASK, w_out, targets[row, k])
            sig = ONE / (ONE + exp_clipped(-min(max(score, -SIGMOID_CLIP), SIGMOID_CLIP)))
            g[a, k] = ((ONE if k == 0 else ZERO) - sig) * alpha
            prob *= float(sig if k == 0 else ONE - sig)
            if prob < LOSS_FLUSH:
                loss -= math.log(prob)
                prob = 1.0
    for r in range(n_ctx + n_t):
        for d in range(delta.shape[1]):
            delta[r, d] = ZERO
    for a in range(n_ctx):
        for k in range(n_t):
            axpy_row(g[a, k], w_out, targets[row, k], delta, a)
            axpy_row(g[a, k], w_in, contexts[a] & ID_MASK, delta, n_ctx + k)
    for a in range(n_ctx):
        if contexts[a] < FROZEN_ID:
            axpy_row(ONE, delta, a, w_in, contexts[a])
    if n_ctx > 0:  # with no context, draw_centre drew no targets: the row is stale
        for k in range(n_t):
            axpy_row(ONE, delta, n_ctx + k, w_out, targets[row, k])
    return prob, loss, n_ctx


@njit(cache=True, fastmath=FAST)
def train_sentence(buf, n, w_in, w_out, noise, window, alpha, state, targets, scratch,
                   shared, private):
    """Train every (context, centre) pair of one subsampled sentence ``buf[:n]``.

    Each centre word draws its own window in [1, window] (word2vec.c's shrunk
    window), and windows stop at the sentence's ends. ``shared``: one draw of
    noise words per centre word (``shared_update``), else one per pair
    (``pair_updates``). The next centre's noise words are drawn (and their rows
    prefetched) before this centre's pairs are trained, into the other half of
    ``targets`` (int32, (4 window, negative + 1)).

    scratch : (float32 (1, dim), then the three arrays ``shared_update`` takes).
    private : (hot, shift), as ``output_row``.
    Returns (loss, pairs, state).
    """
    grad, contexts, g, delta = scratch
    half = targets.shape[0] // 2
    loss = 0.0
    prob = 1.0
    pairs = 0
    start, stop = 0, 0
    if n > 0:
        start, stop, state = draw_centre(buf, n, 0, window, noise, state, targets, 0,
                                         not shared, w_in, w_out, private)
    for i in range(n):
        base = (i & 1) * half
        next_start, next_stop = 0, 0
        if i + 1 < n:
            next_start, next_stop, state = draw_centre(buf, n, i + 1, window, noise, state,
                                                       targets, half - base, not shared,
                                                       w_in, w_out, private)
        if shared:
            prob, part, count = shared_update(buf, i, start, stop, w_in, w_out, targets, base,
                                              alpha, (contexts, g, delta), prob)
        else:
            prob, part, count = pair_updates(buf, i, start, stop, w_in, w_out, targets, base,
                                             alpha, grad, prob)
        loss += part
        pairs += count
        start, stop = next_start, next_stop
    return loss - math.log(prob), pairs, state


@njit(cache=True)
def copy_hot_rows(w_out, hot, shift, snapshot):
    """Start a thread's private rows: ``w_out[shift + r]`` and ``snapshot[r]`` get ``w_out[r]``."""
    for r in range(hot):
        for d in range(w_out.shape[1]):
            snapshot[r, d] = w_out[r, d]
            w_out[shift + r, d] = w_out[r, d]


@njit(cache=True)
def sync_private_rows(w_out, hot, shift, snapshot, lock):
    """Add a thread's changes to its private rows to the shared rows; refresh its copy.

    For r < hot: ``w_out[r] += w_out[shift + r] - snapshot[r]`` (what this thread
    changed since its last sync), then its copy and the snapshot take the new
    shared row, which also holds what the other threads have merged. The merge is
    a read-then-write of the shared rows, so it runs under a spin lock
    (``lock[0]``, 0 free, 1 held, taken by an atomic compare-and-swap): two threads
    merging the same row at once would otherwise lose one's whole sync period of
    updates. A merge takes about 0.1 ms per 1024 rows of 100 floats, every
    ``SYNC_TOKENS`` tokens, so threads seldom wait.
    """
    while compare_and_swap(lock, 0, 0, 1) != 0:
        pass
    for r in range(hot):
        for d in range(w_out.shape[1]):
            value = w_out[r, d] + (w_out[shift + r, d] - snapshot[r, d])
            w_out[r, d] = value
            w_out[shift + r, d] = value
            snapshot[r, d] = value
    compare_and_swap(lock, 0, 1, 0)


@njit(cache=True)
def train_block(ids, offsets, w_in, w_out, keep, noise, window, negative, alphas, state,
                shared, hot, copy, lock):
    """Train the sentences ``offsets[s]:offsets[s + 1]`` of ``ids``, one after another.

    ``alphas`` (float64, shape (2,)) gives the learning rate at the block's first
    and last token; it falls linearly by position in between. ``shared``: draw
    noise words once per centre word rather than once per pair (see
    ``train_sentence``). ``hot``, ``copy``: train a private copy of rows
    ``[0, hot)`` of ``w_out``, kept at row ``n_words + copy * hot`` on
    (``n_words = keep.shape[0]``; ``w_out`` has a copy's spare rows for each
    thread), merged into the shared rows every ``SYNC_TOKENS`` tokens and at the
    end, under the spin lock ``lock`` (int64, shape (1,), shared by the blocks).
    ``hot`` 0: train the shared rows directly. Returns (loss sum, pair count, state).
    """
    state = int(state)  # a Python int without JIT, so the LCG never overflows there
    buf = np.empty(MAX_SENTENCE_LEN, dtype=np.int32)
    targets = np.empty((4 * window, negative + 1), dtype=np.int32)  # two centres' worth
    scratch = (np.empty((1, w_in.shape[1]), dtype=np.float32),
               np.empty(2 * window, dtype=np.int32),
               np.empty((2 * window, negative + 1), dtype=np.float32),
               np.empty((2 * window + negative + 1, w_in.shape[1]), dtype=np.float32))
    shift = keep.shape[0] + copy * hot
    snapshot = np.empty((hot, w_out.shape[1]), dtype=np.float32)
    copy_hot_rows(w_out, hot, shift, snapshot)
    first = offsets[0]
    span = max(offsets[offsets.shape[0] - 1] - first, 1)
    loss = 0.0
    pairs = 0
    unsynced = 0
    for s in range(offsets.shape[0] - 1):
        start = offsets[s]
        alpha = np.float32(alphas[0] + (alphas[1] - alphas[0]) * ((start - first) / span))
        n, state = subsample(ids[start:offsets[s + 1]], keep, state, buf)
        part, count, state = train_sentence(buf, n, w_in, w_out, noise, window, alpha, state,
                                            targets, scratch, shared, (hot, shift))
        loss += part
        pairs += count
        unsynced += offsets[s + 1] - start
        if unsynced >= SYNC_TOKENS:
            sync_private_rows(w_out, hot, shift, snapshot, lock)
            unsynced = 0
    sync_private_rows(w_out, hot, shift, snapshot, lock)
    return loss, pairs, state


@njit(cache=True)
def block_bounds(offsets, n_blocks):
    """Split sentences into ``n_blocks`` runs of about equal token count.

    Returns int64 array, shape (n_blocks + 1,), of indices into ``offsets``.
    """
    first = offsets[0]
    span = offsets[offsets.shape[0] - 1] - first
    bounds = np.empty(n_blocks + 1, dtype=np.int64)
    for b in range(n_blocks + 1):
        bounds[b] = np.searchsorted(offsets, first + (span * b) // n_blocks)
    bounds[n_blocks] = offsets.shape[0] - 1
    return bounds


@njit(parallel=True, cache=True)
def train_chunk(ids, offsets, w_in, w_out, keep, noise, window, negative, alphas, rng_states,
                shared):
    """Train one chunk of sentences on all threads, Hogwild style.

    The sentences are split into ``len(rng_states)`` blocks, one per thread; each
    block has its own RNG state (updated in place) and loss slot. Rows of ``w_in``
    and ``w_out`` are updated without locks (Hogwild, Recht et al. 2011), so runs
    on more than one thread are not bit-reproducible. ``w_out`` has ``n_words +
    n_blocks * hot`` rows: the rows past ``n_words = len(keep)`` hold each block's
    private copy of the ``hot`` most frequent words' rows (see ``train_block``);
    with no spare rows every block trains the shared rows directly.

    Eleven parameters, each a distinct array or scalar: packing them together would
    hide their dtypes. Returns float64 array, shape (n_blocks, 2): loss sum and
    pair count per block.
    """
    n_blocks = rng_states.shape[0]
    hot = min((w_out.shape[0] - keep.shape[0]) // n_blocks, keep.shape[0])
    bounds = block_bounds(offsets, n_blocks)
    losses = np.zeros((n_blocks, 2), dtype=np.float64)
    lock = np.zeros(1, dtype=np.int64)  # held by a block while it merges its private rows
    for b in prange(n_blocks):
        part = offsets[bounds[b]:bounds[b + 1] + 1]
        loss, pairs, state = train_block(ids, part, w_in, w_out, keep, noise, window,
                                         negative, alphas, rng_states[b], shared, hot, b,
                                         lock)
        losses[b, 0] = loss
        losses[b, 1] = pairs
        rng_states[b] = state
    return losses
