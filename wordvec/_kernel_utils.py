"""Leaf helpers for the Numba kernels: RNG, clipped exp and logistic step, row
arithmetic, prefetch and atomics. Private: used by ``_kernels.py`` (and any later
model's kernels), never by the rest of the package.

This is the only module that touches Numba internals (the two ``@intrinsic``
functions emit LLVM directly); ``_kernels.py`` reads as the algorithm.

RNG: a 48-bit linear congruential generator with the drand48 constants that
word2vec.c uses, stepped once per draw; draws read its top 32 bits. The state is
a plain int64, masked after each step, so the code means the same in Numba and
in pure Python (``NUMBA_DISABLE_JIT=1``).
"""

import math

import numpy as np
from llvmlite import ir
from numba import config, njit, types
from numba.core import cgutils
from numba.extending import intrinsic

LCG_MULT = 25214903917
LCG_INC = 11
LCG_MASK = (1 << 48) - 1
SIGMOID_CLIP = np.float32(6.0)  # scores beyond +-6 saturate the gradient, as in word2vec.c
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
# Inlined code takes the caller's flags, so the kernels that inline them carry FAST.
FAST = {"nsz", "arcp", "contract", "afn", "reassoc"}
CACHE_LINE_FLOATS = 16  # 64-byte cache lines of float32


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


@njit(cache=True, inline="always")
def logistic_step(score, positive, alpha, prob):
    """The SGNS step for one (input, target) score: gradient scale and loss.

    Returns (g, prob, loss). ``g = alpha * (label - s(score))``, label 1 for the
    ``positive`` target (the centre word) and 0 for a noise word, with ``s`` the
    logistic sigmoid saturated beyond +-SIGMOID_CLIP to exactly 1 or 0, as
    word2vec.c does (gensim instead skips such a target). ``prob`` (float64) is
    the running product of the labels' probabilities, taken from the score clipped
    to +-SIGMOID_CLIP so that it never reaches 0; when it nears underflow its minus
    log is returned as ``loss`` and it restarts at 1 (else ``loss`` is 0).
    """
    clipped = min(max(score, -SIGMOID_CLIP), SIGMOID_CLIP)
    sig = ONE / (ONE + exp_clipped(-clipped))
    prob *= float(sig if positive else ONE - sig)  # float64, also without JIT
    loss = 0.0
    if prob < LOSS_FLUSH:
        loss = -math.log(prob)
        prob = 1.0
    if score > SIGMOID_CLIP:
        sig = ONE
    elif score < -SIGMOID_CLIP:
        sig = ZERO
    return ((ONE if positive else ZERO) - sig) * alpha, prob, loss


@njit(cache=True, inline="always")
def spin_lock(flags):
    """Take the lock ``flags[0]`` (0 free, 1 held), spinning until it is free."""
    while compare_and_swap(flags, 0, 0, 1) != 0:
        pass


@njit(cache=True, inline="always")
def spin_unlock(flags):
    compare_and_swap(flags, 0, 1, 0)


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


@njit(cache=True)
def block_bounds(offsets, n_blocks):
    """Split sentences into ``n_blocks`` runs of about equal token count.

    Returns int64 array, shape (n_blocks + 1,), of indices into ``offsets``: for
    each block the first sentence that starts at or after its share of tokens (a
    linear scan, which Numba compiles in a fraction of ``np.searchsorted``'s time).
    """
    first = offsets[0]
    span = offsets[offsets.shape[0] - 1] - first
    bounds = np.empty(n_blocks + 1, dtype=np.int64)
    s = 0
    for b in range(n_blocks + 1):
        while s < offsets.shape[0] and offsets[s] < first + (span * b) // n_blocks:
            s += 1
        bounds[b] = s
    bounds[n_blocks] = offsets.shape[0] - 1
    return bounds
