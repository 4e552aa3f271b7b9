"""Kernels against tests/reference.py, plus statistics of the random draws."""

import os
import subprocess
import sys
import tempfile

import numba
import numpy as np
import pytest
import reference

from wordvec import _kernel_utils, _kernels
from wordvec.trainer import num_threads
from wordvec.vocab import Vocab


def _model(w_in, w_out, lockf, keep, noise):
    """A word-only ``Model``: each word's input is its own row."""
    n = len(keep)
    return _kernels.Model(w_in, w_out, lockf, keep, noise, np.arange(n + 1, dtype=np.int64),
                          np.arange(n, dtype=np.int32))


def _settings(window, negative, corrected=False, shrink=True):
    return _kernels.Settings(window, negative, corrected, shrink)


def _lock():
    return np.zeros(1, dtype=np.int64)


def _run(ids, offsets, model, settings, kind, alphas, state, hot=0, copy=0):
    """``_kernels.train_block`` with a fresh work bundle and lock."""
    work = _kernels.make_work(model, settings, hot, copy)
    return _kernels.train_block(ids, offsets, model, settings, alphas, state, work, _lock(),
                                *kind)


def _block(ids, offsets, model, window, negative, alphas, state, shared, hot=0, copy=0):
    """A skip-gram ``train_block``, per-pair or ``shared``."""
    return _run(ids, offsets, model, _settings(window, negative),
                _kernels.kind_of(False, False, shared), alphas, state, hot, copy)


def _setup(seed=3, n_words=12, dim=8, n_tokens=60):
    """A random corpus; 60 tokens come in five sentences, more in sentences of 20.

    Returns ids, offsets and a ``Model`` whose words 1 and 4 have input rows that
    must not move (``lockf`` 0).
    """
    rng = np.random.default_rng(seed)
    counts = np.sort(rng.integers(1, 50, n_words))[::-1].copy()
    vocab = Vocab([f"w{i}" for i in range(n_words)], counts)
    ids = rng.integers(0, n_words, n_tokens).astype(np.int32)
    offsets = np.array([0, 7, 8, 30, 41, 60], dtype=np.int64) if n_tokens == 60 \
        else np.arange(0, n_tokens + 1, 20, dtype=np.int64)
    w_in = ((rng.random((n_words, dim), dtype=np.float32) - 0.5) / dim).astype(np.float32)
    w_out = (rng.random((n_words, dim), dtype=np.float32) * 0.1).astype(np.float32)
    lockf = np.ones(n_words, dtype=np.float32)
    lockf[[1, 4]] = 0.0
    return ids, offsets, _model(w_in, w_out, lockf, vocab.keep_thresholds(0.05),
                                        vocab.noise_table())


@pytest.mark.parametrize("window, negative, shared", [(1, 1, False), (3, 5, False),
                                                      (5, 2, False), (1, 1, True),
                                                      (3, 5, True), (5, 2, True)])
def test_train_block_matches_reference(window, negative, shared):
    ids, offsets, model = _setup()
    # Large rates so that any difference in the updates shows; the shared minibatch
    # sums its updates in another order than the reference's BLAS, and at 0.5 those
    # float32 rounding differences compound, so it runs at 0.1.
    alphas = np.array([0.1, 0.02]) if shared else np.array([0.5, 0.1])
    ref_in, ref_out = model.w_in.copy(), model.w_out.copy()
    loss, pairs, state = _block(ids, offsets, model, window, negative, alphas, 12345, shared)
    ref_loss, ref_pairs, ref_state = reference.train_block(
        ids, offsets, ref_in, ref_out, model.keep, model.noise, window, negative, alphas,
        12345, shared, model.lockf)
    assert (pairs, state) == (ref_pairs, ref_state)
    assert pairs > 50
    np.testing.assert_array_equal(model.w_in[[1, 4]], _setup()[2].w_in[[1, 4]])  # frozen
    np.testing.assert_allclose(model.w_in, ref_in, atol=1e-5)
    np.testing.assert_allclose(model.w_out, ref_out, atol=1e-5)
    assert loss == pytest.approx(ref_loss, rel=1e-5)


@pytest.mark.parametrize("window, negative, corrected, subwords",
                         [(1, 1, True, False), (3, 5, True, False), (5, 2, False, False),
                          (3, 5, False, False), (3, 5, True, True), (5, 2, False, True)])
def test_cbow_block_matches_reference(window, negative, corrected, subwords):
    """CBOW, both update rules, word-only and with n-gram rows, frozen rows included."""
    setup = _subword_setup if subwords else _setup
    ids, offsets, model = setup()
    alphas = np.array([0.5, 0.1])
    ref_in, ref_out = model.w_in.copy(), model.w_out.copy()
    loss, examples, state = _run(ids, offsets, model, _settings(window, negative, corrected),
                                 _kernels.kind_of(True, subwords, False), alphas, 12345)
    ref_loss, ref_examples, ref_state = reference.cbow_block(
        ids, offsets, ref_in, ref_out, model.keep, model.noise, window, negative, alphas,
        12345, (model.in_offsets, model.in_rows), model.lockf, corrected)
    assert (examples, state) == (ref_examples, ref_state)
    assert examples > 20
    frozen = [1, 4, 13] if subwords else [1, 4]
    np.testing.assert_array_equal(model.w_in[frozen], setup()[2].w_in[frozen])
    np.testing.assert_allclose(model.w_in, ref_in, atol=1e-5)
    np.testing.assert_allclose(model.w_out, ref_out, atol=1e-5)
    assert loss == pytest.approx(ref_loss, rel=1e-5)


@pytest.mark.parametrize("subwords", [False, True])
def test_corrected_cbow_step_is_the_gradient(subwords):
    """The corrected update moves every input row by -alpha times the loss's gradient
    (central differences in float64); word2vec.c's moves each by n_ctx * m times it."""
    _, _, model = (_subword_setup if subwords else _setup)()
    inputs, contexts, targets = (model.in_offsets, model.in_rows), [3, 5, 3, 2], [7, 0, 9]
    rows = np.unique(np.concatenate([model.in_rows[model.in_offsets[c]:model.in_offsets[c + 1]]
                                     for c in contexts]))
    eps, alpha = 1e-4, np.float32(1e-3)
    numeric = np.zeros((len(model.w_in), model.w_in.shape[1]))
    for r in rows:
        for d in range(model.w_in.shape[1]):
            plus, minus = model.w_in.astype(np.float64), model.w_in.astype(np.float64)
            plus[r, d] += eps
            minus[r, d] -= eps
            numeric[r, d] = (reference.cbow_loss(plus, model.w_out, contexts, inputs, targets)
                             - reference.cbow_loss(minus, model.w_out, contexts, inputs,
                                                   targets)) / (2 * eps)
    ones = np.ones(len(model.w_in), np.float32)
    for corrected in (True, False):
        w_in, w_out = model.w_in.copy(), model.w_out.copy()
        reference.cbow_step(w_in, w_out, contexts, inputs, targets, alpha, ones, corrected)
        moved = (w_in - model.w_in) / -alpha
        if corrected:
            np.testing.assert_allclose(moved, numeric, atol=2e-5)
        elif not subwords:  # the whole gradient at h to each row: n_ctx times the true one
            np.testing.assert_allclose(moved, len(contexts) * numeric, atol=1e-4)
        else:  # and with n-grams, also times the context's number of rows
            assert np.abs(moved[rows]).sum() > 3 * np.abs(numeric[rows]).sum()
    assert np.abs(numeric[rows]).min(axis=1).max() > 1e-3  # the check is not of zeros


def _subword_setup(n_tokens=60):
    """``_setup``'s corpus with each word's input the mean of its row and 0 to 3 of six
    shared n-gram rows (one twice, as when a word repeats an n-gram); rows 1, 4 and
    the n-gram row 13 are frozen."""
    ids, offsets, model = _setup(n_tokens=n_tokens)
    n, dim = len(model.keep), model.w_in.shape[1]
    rng = np.random.default_rng(7)
    grams = [[], [12, 13], [14], [15, 15, 17], [12], [13, 14, 16]]  # sorted, as the kernel needs
    lists = [[w] + grams[w % len(grams)] for w in range(n)]
    in_offsets = np.cumsum([0] + [len(x) for x in lists]).astype(np.int64)
    in_rows = np.concatenate(lists).astype(np.int32)
    w_in = np.vstack([model.w_in, (rng.random((6, dim), dtype=np.float32) - 0.5) / dim])
    lockf = np.ones(n + 6, np.float32)
    lockf[[1, 4, 13]] = 0.0
    return ids, offsets, model._replace(w_in=w_in, lockf=lockf, in_offsets=in_offsets,
                                        in_rows=in_rows)


@pytest.mark.parametrize("window, negative", [(1, 1), (3, 5), (5, 2)])
def test_subword_block_matches_reference(window, negative):
    """fastText's update: the kernel keeps the mean and the summed gradient in its work
    rows and writes the rows once per centre; the reference recomputes the mean for
    every pair and writes at once. Equal up to float32 rounding."""
    ids, offsets, model = _subword_setup()
    alphas = np.array([0.5, 0.1])
    ref_in, ref_out = model.w_in.copy(), model.w_out.copy()
    loss, pairs, state = _run(ids, offsets, model, _settings(window, negative),
                              _kernels.kind_of(False, True, False), alphas, 12345)
    ref_loss, ref_pairs, ref_state = reference.subword_block(
        ids, offsets, ref_in, ref_out, model.keep, model.noise, window, negative, alphas,
        12345, (model.in_offsets, model.in_rows), model.lockf)
    assert (pairs, state) == (ref_pairs, ref_state)
    assert pairs > 50
    frozen = _subword_setup()[2].w_in[[1, 4, 13]]
    np.testing.assert_array_equal(model.w_in[[1, 4, 13]], frozen)
    assert not np.allclose(model.w_in[[12, 14, 15, 16, 17]],
                           _subword_setup()[2].w_in[[12, 14, 15, 16, 17]])
    np.testing.assert_allclose(model.w_in, ref_in, atol=1e-5)
    np.testing.assert_allclose(model.w_out, ref_out, atol=1e-5)
    assert loss == pytest.approx(ref_loss, rel=1e-5)


WHOLE = 1000  # the kernels' reach for a whole-sequence window (the trainer's default cap)


@pytest.mark.parametrize("kind", ["pairs", "shared", "cbow", "subwords"])
@pytest.mark.parametrize("window", [None, 3])
def test_fixed_and_whole_sequence_windows_match_reference(kind, window):
    """``shrink`` off: every centre reaches ``window`` (no draw), or with the kernels'
    reach at the sentence cap, every other word of its sentence (item2vec's window 0),
    for each kind of update."""
    ids, offsets, model = (_subword_setup if kind == "subwords" else _setup)()
    alphas = np.array([0.1, 0.02]) if kind == "shared" else np.array([0.5, 0.1])
    ref_in, ref_out = model.w_in.copy(), model.w_out.copy()
    loss, count, state = _run(ids, offsets, model, _settings(window or WHOLE, 3, True, False),
                              _kernels.kind_of(kind == "cbow", kind == "subwords",
                                               kind == "shared"), alphas, 12345)
    args = (ids, offsets, ref_in, ref_out, model.keep, model.noise, window, 3, alphas, 12345)
    inputs = (model.in_offsets, model.in_rows)
    if kind == "cbow":
        ref = reference.cbow_block(*args, inputs, model.lockf, True, shrink=False)
    elif kind == "subwords":
        ref = reference.subword_block(*args, inputs, model.lockf, shrink=False)
    else:
        ref = reference.train_block(*args, kind == "shared", model.lockf, shrink=False)
    assert (count, state) == ref[1:]
    np.testing.assert_allclose(model.w_in, ref_in, atol=1e-5)
    np.testing.assert_allclose(model.w_out, ref_out, atol=1e-5)
    assert loss == pytest.approx(ref[0], rel=1e-5)


def test_whole_sequence_window_pairs_every_two_words():
    """Sentences of 7, 1, 22, 11 and 19 words with subsampling off: a whole-sequence
    window trains n(n-1) pairs in a sentence of n, and makes no random draw for it."""
    ids, offsets, model = _setup()
    model = model._replace(keep=np.full(len(model.keep), _kernels.KEEP_ALWAYS, np.int64))
    _, pairs, _ = _run(ids, offsets, model, _settings(WHOLE, 1, shrink=False),
                       _kernels.kind_of(False, False, False), np.array([0.0, 0.0]), 1)
    lengths = np.diff(offsets)
    assert pairs == int((lengths * (lengths - 1)).sum())


@pytest.mark.slow  # the NumPy reference trains 25,000 tokens
@pytest.mark.parametrize("shared", [False, True])
def test_private_hot_rows_change_only_rounding(shared):
    """A block training a private copy of the hottest output rows, as each thread
    does when there are several, makes the reference's updates: the copy sits in
    spare rows, is merged into the shared rows every SYNC_TOKENS tokens (three
    times here, then at the end), and the result differs by rounding only."""
    n_tokens = 3 * _kernels.SYNC_TOKENS + 500
    ids, offsets, model = _setup(n_tokens=n_tokens)
    hot, n_words, w_out = 5, len(model.keep), model.w_out
    spare = np.vstack([w_out, np.full((hot, w_out.shape[1]), np.nan, np.float32)])
    ref_in, ref_out = model.w_in.copy(), w_out.copy()
    alphas = np.array([0.01, 0.002])
    _, pairs, state = _block(ids, offsets, model._replace(w_out=spare), 3, 5, alphas, 12345,
                             shared, hot)
    _, ref_pairs, ref_state = reference.train_block(ids, offsets, ref_in, ref_out, model.keep,
                                                    model.noise, 3, 5, alphas, 12345, shared,
                                                    model.lockf)
    assert (pairs, state) == (ref_pairs, ref_state)
    np.testing.assert_allclose(model.w_in, ref_in, atol=1e-4)
    np.testing.assert_allclose(spare[:n_words], ref_out, atol=1e-4)
    assert not np.allclose(spare[:hot], w_out[:hot], atol=1e-2)  # the hot rows did train
    np.testing.assert_array_equal(spare[n_words:], spare[:hot])


def test_train_chunk_runs_every_block_with_its_own_state():
    """Two blocks on one thread run one after the other, so the chunk kernel must equal
    train_block on each half with that block's RNG state and private-row copy."""
    ids, offsets, model = _setup(n_tokens=2000)
    hot, n_words = 4, len(model.keep)
    spare = np.vstack([model.w_out, np.zeros((2 * hot, model.w_out.shape[1]), np.float32)])
    model = model._replace(w_out=spare)
    ref = model._replace(w_in=model.w_in.copy(), w_out=spare.copy())
    states = np.array([111, 222], dtype=np.int64)
    alphas = np.array([0.02, 0.01])
    with num_threads(1):
        losses = _kernels.train_chunk(ids, offsets, model, _settings(3, 4),
                                      alphas, states, hot, *_kernels.kind_of(False, False, False))
    bounds = _kernel_utils.block_bounds(offsets, 2)
    assert 0 < bounds[1] < bounds[2] == len(offsets) - 1
    for b, seed in enumerate((111, 222)):
        part = offsets[bounds[b]:bounds[b + 1] + 1]
        loss, pairs, state = _block(ids, part, ref, 3, 4, alphas, seed, False, hot, b)
        assert (losses[b, 1], states[b]) == (pairs, state) and losses[b, 0] == loss
    np.testing.assert_array_equal(model.w_in, ref.w_in)
    np.testing.assert_array_equal(spare[:n_words], ref.w_out[:n_words])


@numba.njit
def _train_private_rows(w_out, work):
    """Stand-in for training: add 1 to every element of the thread's private rows."""
    for r in range(work.hot):
        for d in range(w_out.shape[1]):
            w_out[work.shift + r, d] += np.float32(1.0)


@numba.njit(parallel=True)
def _merge_concurrently(model, settings, hot, rounds, lock):
    """Two threads train their private rows and merge them, ``rounds`` times.

    (A write to ``model.w_out`` written out in the prange body itself was dropped by
    Numba's parfor lowering, so it is done in a called function, as the kernels do.)
    """
    for b in numba.prange(2):
        work = _kernels.make_work(model, settings, hot, b)
        _kernels.copy_hot_rows(model.w_out, work)
        for _ in range(rounds):
            _train_private_rows(model.w_out, work)
            _kernels.sync_private_rows(model.w_out, work, lock)


@pytest.mark.slow  # 3,000 merges of 256 rows: seconds with JIT, many minutes without
@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs two threads")
def test_concurrent_merges_lose_no_update():
    """Both threads merge the same rows at the same time, thousands of times: every
    increment must arrive (an unlocked read-then-write merge lost hundreds)."""
    hot, rounds, cold = 256, 3000, 8
    w_out = np.zeros((hot + cold + 2 * hot, 64), dtype=np.float32)
    n_words = hot + cold  # the private copies follow the vocabulary's rows
    model = _model(w_out[:n_words], w_out, np.ones(n_words, np.float32),
                           np.zeros(n_words, np.int64), np.zeros(n_words, np.int64))
    with num_threads(2):
        _merge_concurrently(model, _settings(1, 1), hot, rounds, _lock())
    lost = 2 * rounds - w_out[:hot]
    assert lost.max() == 0, f"{int(lost.max())} of {2 * rounds} increments lost"
    assert (w_out[hot:hot + cold] == 0).all()


def test_sgns_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    w_in = rng.normal(0, 0.3, (4, 6)).astype(np.float32)
    w_out = rng.normal(0, 0.3, (4, 6)).astype(np.float32)
    targets = np.array([[1, 2, 3]], dtype=np.int32)
    alpha = np.float32(1e-3)
    before = w_in[0].astype(np.float64).copy()
    _sgns_update(w_in, w_out.copy(), 0, targets[0], alpha)
    step = (w_in[0] - before) / alpha  # the update is -alpha * dLoss/dx
    for d in range(6):
        eps = np.zeros(6)
        eps[d] = 1e-3
        up = _loss64(before + eps, w_out, targets[0])
        down = _loss64(before - eps, w_out, targets[0])
        assert -step[d] == pytest.approx((up - down) / 2e-3, abs=2e-3)


def _sgns_update(w_in, w_out, context, targets, alpha):
    """One ``sgns_update`` of ``context`` against ``targets`` (centre first)."""
    n_words = w_in.shape[0]
    model = _model(w_in, w_out, np.ones(n_words, np.float32),
                           np.zeros(n_words, np.int64), np.zeros(n_words, np.int64))
    work = _kernels.make_work(model, _settings(1, len(targets) - 1), 0,
                              0)
    work.targets[0] = targets
    return _kernels.sgns_update(w_in, context, w_out, work, 0, alpha, 1.0, np.float32(1.0))


def test_scores_beyond_the_clip_saturate_the_gradient_as_word2vec_c():
    """Above +6 the centre word's gradient is exactly 0 and a noise word's exactly
    -alpha; within the clip both follow the sigmoid; the reference agrees."""
    w_in = np.full((3, 4), 1.5, np.float32)  # scores 9 with the rows below
    w_out = np.array([[0, 0, 0, 0], [1.5] * 4, [1.5] * 4], np.float32)
    ref_in, ref_out = w_in.copy(), w_out.copy()
    alpha = np.float32(0.1)
    _sgns_update(w_in, w_out, 0, np.array([1, 2], np.int32), alpha)
    reference.pair_step(ref_in, ref_out, 0, [1, 2], alpha)
    np.testing.assert_array_equal(w_out[1], 1.5)  # s(9) saturates to 1: no step
    np.testing.assert_allclose(w_out[2], 1.5 - alpha * 1.5, rtol=1e-6)  # s(9) -> 1: full step
    np.testing.assert_allclose(w_in, ref_in, rtol=1e-6)
    np.testing.assert_allclose(w_out, ref_out, rtol=1e-6)
    inside = np.full((2, 4), 0.5, np.float32)  # score 1
    before = inside[1].copy()
    _sgns_update(inside, inside.copy(), 0, np.array([1], np.int32), alpha)
    assert not np.array_equal(inside[0], before)


def _loss64(x, w_out, targets):
    def log_sig(z):
        return -np.log1p(np.exp(-z))
    out = w_out.astype(np.float64)
    return -log_sig(x @ out[targets[0]]) - sum(log_sig(-(x @ out[t])) for t in targets[1:])


def test_exp_clipped_is_accurate_over_the_clip_range():
    xs = np.linspace(-6, 6, 2001).astype(np.float32)
    got = np.array([_kernel_utils.exp_clipped(x) for x in xs], dtype=np.float64)
    np.testing.assert_allclose(got, np.exp(xs.astype(np.float64)), rtol=3e-7)


def test_noise_draws_follow_count_power():
    counts = np.array([5000, 1200, 400, 90, 30, 8, 5])
    vocab = Vocab([str(i) for i in range(7)], counts)
    targets = np.empty((1, 1_000_001), dtype=np.int32)
    _kernels.draw_targets(0, vocab.noise_table(), 987654321, targets, 0, 0, 0)
    observed = np.bincount(targets[0, 1:], minlength=7)
    expected = 1_000_000 * counts**0.75 / (counts**0.75).sum()
    # Chi-square with 6 degrees of freedom: 38.3 is its 1e-6 tail (scipy chi2.isf). This
    # stream gives 3.5; drawing by count**0.7 instead would give about 4,000, and the
    # rarest word (3,564 expected) being 10% off alone about 36 + the rest.
    assert ((observed - expected) ** 2 / expected).sum() < 38.3
    np.testing.assert_allclose(observed, expected, rtol=0.05)  # every word, rare ones too


def test_subsampling_keep_rate_matches_formula():
    vocab = Vocab(["a", "b"], np.array([9000, 1000]))
    keep = vocab.keep_thresholds(1e-2)
    sent = np.zeros(1_000_000, dtype=np.int32)  # a million copies of word 0
    n, _ = _kernels.subsample(sent, keep, 42, np.empty(len(sent), np.int32))
    f = 0.9
    expected = (np.sqrt(f / 1e-2) + 1) * 1e-2 / f
    assert n / len(sent) == pytest.approx(expected, abs=2e-3)


def test_window_never_crosses_sentences():
    """Ten two-word sentences, window 50: each centre word has exactly one context."""
    ids = np.arange(20, dtype=np.int32) % 4
    offsets = np.arange(0, 21, 2, dtype=np.int64)
    w_in = np.full((4, 4), 0.1, dtype=np.float32)
    w_out = np.zeros((4, 4), dtype=np.float32)
    keep = np.full(4, 1 << 32, dtype=np.int64)
    noise = Vocab(list("abcd"), np.ones(4, dtype=np.int64)).noise_table()
    model = _model(w_in, w_out, np.ones(4, np.float32), keep, noise)
    for shared in (False, True):
        _, pairs, _ = _block(ids, offsets, model, 50, 1, np.array([0.025, 0.025]), 1, shared)
        assert pairs == 20  # a window reaching into the next sentence would add pairs


def test_reference_window_pairs_stay_in_range():
    rng = reference.Lcg(5)
    pairs = list(reference.window_pairs([7, 8, 9], 2, rng))
    assert all(0 <= j < 3 and j != i and abs(i - j) <= 2 for i, j in pairs)


def test_sentence_buffer_fits_the_longest_sentence():
    """_kernels may import only numpy/numba/math, so it repeats the corpus constant."""
    from wordvec import corpus

    assert _kernels.MAX_SENTENCE_LEN == corpus.MAX_SENTENCE_LEN


def test_block_bounds_split_tokens_evenly():
    offsets = np.array([0, 10, 20, 30, 40], dtype=np.int64)
    assert _kernel_utils.block_bounds(offsets, 2).tolist() == [0, 2, 4]
    assert _kernel_utils.block_bounds(offsets, 1).tolist() == [0, 4]
    assert _kernel_utils.block_bounds(np.zeros(1, np.int64), 2).tolist() == [0, 0, 0]


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("WORDVEC_KERNEL_MODE") is not None,
                    reason="already inside the re-run")
@pytest.mark.parametrize("env", [{"NUMBA_DISABLE_JIT": "1"}, {"NUMBA_BOUNDSCHECK": "1"}])
def test_kernel_tests_pass_without_jit_and_with_boundscheck(env):
    """Kernels stay valid Python (no JIT) and never index out of range (bounds checks on).

    The slow tests are left out of the re-run: without JIT they take minutes and
    exercise no kernel code path the others do not.
    """
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "-m", "not slow",
                             "-W", "error::RuntimeWarning", __file__],
                            env={**os.environ, **env, "WORDVEC_KERNEL_MODE": "1",
                                 "NUMBA_CACHE_DIR": tempfile.mkdtemp()},
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:]
