"""Slow, plain NumPy skip-gram with negative sampling, for checking the kernels.

Written for clarity, one pair at a time, with the same random stream as the
kernels (the 48-bit LCG of word2vec.c, top 32 bits per draw), so that on one
thread both must produce the same vectors up to float32 rounding.
"""

import numpy as np

LCG_MULT, LCG_INC, LCG_MASK = 25214903917, 11, (1 << 48) - 1


class Lcg:
    def __init__(self, state: int):
        self.state = int(state)

    def bits32(self) -> int:
        self.state = (self.state * LCG_MULT + LCG_INC) & LCG_MASK
        return self.state >> 16

    def below(self, n: int) -> int:
        """Uniform integer in [0, n) by multiply-shift of the 32 bits."""
        return (self.bits32() * n) >> 32


    def noise_word(self, table) -> int:
        """Draw from an alias table (int64 ``alias << 32 | accept``), as the kernel does."""
        spread = self.bits32() * len(table)
        bucket, within = spread >> 32, spread & 0xFFFFFFFF
        entry = int(table[bucket])
        return bucket if within < entry & 0xFFFFFFFF else entry >> 32


CLIP = np.float32(6.0)


def sigmoid(x):
    """Logistic sigmoid in float32 of scores clipped to +-6 (scalars or arrays): the
    probability the loss is taken of."""
    x = np.clip(np.asarray(x, dtype=np.float32), -CLIP, CLIP)
    return np.float32(1.0) / (np.float32(1.0) + np.exp(-x, dtype=np.float32))


def gradient_sigmoid(x):
    """The sigmoid the gradient uses: saturated to exactly 1 above +6 and 0 below -6
    (word2vec.c's ``if (f > MAX_EXP) g = (label - 1) * alpha``)."""
    x = np.asarray(x, dtype=np.float32)
    return np.where(x > CLIP, np.float32(1.0), np.where(x < -CLIP, np.float32(0.0), sigmoid(x)))


def pair_step(w_in, w_out, context, targets, alpha, lockf=1.0):
    """Gradient step for input row ``context`` against ``targets`` (centre first).

    Returns the pair's loss -log s(x.y_pos) - sum log s(-x.y_neg), each term taken
    just before that target's update. The context row moves by ``lockf`` times its
    gradient (0: frozen).
    """
    x = w_in[context]
    grad = np.zeros_like(x)
    loss = 0.0
    for k, t in enumerate(targets):
        if k > 0 and t == targets[0]:
            continue
        label = 1.0 if k == 0 else 0.0
        score = x @ w_out[t]
        p = sigmoid(score)
        loss -= float(np.log(p if k == 0 else 1.0 - p))
        g = np.float32((label - gradient_sigmoid(score)) * alpha)
        grad += g * w_out[t]
        w_out[t] += g * x
    w_in[context] += np.float32(lockf) * grad
    return loss


def keep_sentence(sentence, keep, rng):
    """Subsampling: words with a threshold below 2**32 survive a 32-bit draw below it."""
    return [w for w in sentence if keep[w] >= 1 << 32 or rng.bits32() < keep[w]]


def shared_step(w_in, w_out, contexts, targets, alpha, lockf):
    """One centre word's minibatch: every context against the same targets.

    All scores come from the weights before the step; returns the summed loss.
    Each context row moves by its ``lockf`` times its update.
    """
    x, y = w_in[contexts], w_out[targets]
    scores = x @ y.T
    sig = sigmoid(scores)
    labels = np.zeros(len(targets))
    labels[0] = 1.0
    mask = np.array([k == 0 or t != targets[0] for k, t in enumerate(targets)], dtype=float)
    loss = -np.sum(mask * np.log(np.where(labels == 1.0, sig, 1.0 - sig).astype(np.float64)))
    g = ((labels - gradient_sigmoid(scores)) * alpha * mask).astype(np.float32)
    delta_in = g @ y
    np.add.at(w_out, targets, g.T @ x)
    for a, c in enumerate(contexts):
        w_in[c] += lockf[c] * delta_in[a]
    return float(loss)


def train_block(ids, offsets, w_in, w_out, keep, noise, window, negative, alphas, state,
                shared=False, lockf=None):
    """Reference for ``_kernels.train_block``: returns (loss sum, pairs, state)."""
    rng = Lcg(state)
    lockf = np.ones(len(keep), np.float32) if lockf is None else lockf
    first, span = offsets[0], max(offsets[-1] - offsets[0], 1)
    loss, n_pairs = 0.0, 0
    for s in range(len(offsets) - 1):
        alpha = np.float32(alphas[0] + (alphas[1] - alphas[0]) * (offsets[s] - first) / span)
        kept = keep_sentence(ids[offsets[s]:offsets[s + 1]], keep, rng)
        if shared:
            for i in range(len(kept)):
                reach = window - rng.below(window)
                contexts = [kept[j] for j in range(max(0, i - reach), min(len(kept), i + reach + 1))
                            if j != i]
                if contexts:
                    targets = [kept[i]] + [rng.noise_word(noise) for _ in range(negative)]
                    loss += shared_step(w_in, w_out, contexts, targets, alpha, lockf)
                    n_pairs += len(contexts)
            continue
        for i, j in window_pairs(kept, window, rng):
            targets = [kept[i]] + [rng.noise_word(noise) for _ in range(negative)]
            loss += pair_step(w_in, w_out, kept[j], targets, alpha, lockf[kept[j]])
            n_pairs += 1
    return loss, n_pairs, rng.state


def window_pairs(sentence, window, rng):
    """Yield (centre, context) positions; each centre draws its reach in [1, window].

    A generator, so window and noise draws interleave as in the kernel.
    """
    for i in range(len(sentence)):
        reach = window - rng.below(window)
        for j in range(max(0, i - reach), min(len(sentence), i + reach + 1)):
            if j != i:
                yield i, j


def subword_block(ids, offsets, w_in, w_out, keep, noise, window, negative, alphas, state,
                  inputs, lockf):
    """Reference for ``_kernels.train_block`` with ``subwords``: fastText's skip-gram.

    The centre word's input is the mean of its rows ``in_rows[in_offsets[w]:...]``
    (``inputs`` = (in_offsets, in_rows)), recomputed before every pair; each context
    word is the positive target of one pair with its own noise draws; every row in
    the mean moves by its ``lockf`` times the pair's whole gradient (fastText's
    ``Model::update``). Returns (loss sum, pairs, state).
    """
    in_offsets, in_rows = inputs
    rng = Lcg(state)
    first, span = offsets[0], max(offsets[-1] - offsets[0], 1)
    loss, n_pairs = 0.0, 0
    for s in range(len(offsets) - 1):
        alpha = np.float32(alphas[0] + (alphas[1] - alphas[0]) * (offsets[s] - first) / span)
        kept = keep_sentence(ids[offsets[s]:offsets[s + 1]], keep, rng)
        for i in range(len(kept)):
            rows = in_rows[in_offsets[kept[i]]:in_offsets[kept[i] + 1]]
            reach = window - rng.below(window)
            for j in range(max(0, i - reach), min(len(kept), i + reach + 1)):
                if j == i:
                    continue
                targets = [kept[j]] + [rng.noise_word(noise) for _ in range(negative)]
                hidden = w_in[rows].mean(axis=0, dtype=np.float32)[None]
                before = hidden.copy()
                loss += pair_step(hidden, w_out, 0, targets, alpha)
                for r in rows:
                    w_in[r] += lockf[r] * (hidden[0] - before[0])
                n_pairs += 1
    return loss, n_pairs, rng.state
