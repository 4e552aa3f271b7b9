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


def subsampled(ids, offsets, alphas, keep, rng):
    """Yield each sentence's learning rate (falling linearly by position from
    ``alphas[0]`` to ``alphas[1]``) and its words that survive subsampling."""
    first, span = offsets[0], max(offsets[-1] - offsets[0], 1)
    for s in range(len(offsets) - 1):
        alpha = np.float32(alphas[0] + (alphas[1] - alphas[0]) * (offsets[s] - first) / span)
        yield alpha, keep_sentence(ids[offsets[s]:offsets[s + 1]], keep, rng)


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
                shared=False, lockf=None, shrink=True):
    """Reference for ``_kernels.train_block``: returns (loss sum, pairs, state)."""
    rng = Lcg(state)
    lockf = np.ones(len(keep), np.float32) if lockf is None else lockf
    loss, n_pairs = 0.0, 0
    for alpha, kept in subsampled(ids, offsets, alphas, keep, rng):
        if shared:
            for i in range(len(kept)):
                reach = draw_reach(window, shrink, len(kept), rng)
                contexts = [kept[j] for j in range(max(0, i - reach), min(len(kept), i + reach + 1))
                            if j != i]
                if contexts:
                    targets = [kept[i]] + [rng.noise_word(noise) for _ in range(negative)]
                    loss += shared_step(w_in, w_out, contexts, targets, alpha, lockf)
                    n_pairs += len(contexts)
            continue
        for i, j in window_pairs(kept, window, rng, shrink):
            targets = [kept[i]] + [rng.noise_word(noise) for _ in range(negative)]
            loss += pair_step(w_in, w_out, kept[j], targets, alpha, lockf[kept[j]])
            n_pairs += 1
    return loss, n_pairs, rng.state


def draw_reach(window, shrink, n, rng):
    """A centre's reach: drawn in [1, window] (``shrink``), else ``window``; ``window``
    None is the whole sentence of ``n`` words (no draw either way)."""
    if window is None:
        return n
    return window - rng.below(window) if shrink else window


def window_pairs(sentence, window, rng, shrink=True):
    """Yield (centre, context) positions; each centre's reach is ``draw_reach``'s.

    A generator, so window and noise draws interleave as in the kernel.
    """
    for i in range(len(sentence)):
        reach = draw_reach(window, shrink, len(sentence), rng)
        for j in range(max(0, i - reach), min(len(sentence), i + reach + 1)):
            if j != i:
                yield i, j


def subword_block(ids, offsets, w_in, w_out, keep, noise, window, negative, alphas, state,
                  inputs, lockf, shrink=True):
    """Reference for ``_kernels.train_block`` with ``subwords``: fastText's skip-gram.

    The centre word's input is the mean of its rows ``in_rows[in_offsets[w]:...]``
    (``inputs`` = (in_offsets, in_rows)), recomputed before every pair; each context
    word is the positive target of one pair with its own noise draws; every row in
    the mean moves by its ``lockf`` times the pair's whole gradient (fastText's
    ``Model::update``). Returns (loss sum, pairs, state).
    """
    in_offsets, in_rows = inputs
    rng = Lcg(state)
    loss, n_pairs = 0.0, 0
    for alpha, kept in subsampled(ids, offsets, alphas, keep, rng):
        for i in range(len(kept)):
            rows = in_rows[in_offsets[kept[i]]:in_offsets[kept[i] + 1]]
            reach = draw_reach(window, shrink, len(kept), rng)
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


def cbow_step(w_in, w_out, contexts, inputs, targets, alpha, lockf, corrected):
    """One CBOW example: the mean of the contexts' vectors against ``targets``.

    A context word's vector is the mean of its rows (``inputs`` = (in_offsets,
    in_rows)); ``h`` is the mean of those. ``corrected``: each row moves by its
    ``lockf`` times the true gradient (the gradient at ``h`` over the number of
    contexts and the context's number of rows), else by the whole gradient at ``h``
    (word2vec.c). Returns the loss.
    """
    in_offsets, in_rows = inputs
    lists = [in_rows[in_offsets[c]:in_offsets[c + 1]] for c in contexts]
    hidden = np.mean([w_in[r].mean(axis=0, dtype=np.float64) for r in lists], axis=0)
    hidden = hidden.astype(np.float32)[None]
    before = hidden.copy()
    loss = pair_step(hidden, w_out, 0, targets, alpha)
    grad = hidden[0] - before[0]
    for r in lists:
        step = np.float32(1.0 / (len(r) * len(lists))) if corrected else np.float32(1.0)
        for row in r:
            w_in[row] += lockf[row] * step * grad
    return loss


def cbow_block(ids, offsets, w_in, w_out, keep, noise, window, negative, alphas, state,
               inputs, lockf, corrected, shrink=True):
    """Reference for ``_kernels.train_block`` with ``cbow``: returns (loss sum,
    examples, state); a centre with no context in its window is skipped."""
    rng = Lcg(state)
    loss, examples = 0.0, 0
    for alpha, kept in subsampled(ids, offsets, alphas, keep, rng):
        for i in range(len(kept)):
            reach = draw_reach(window, shrink, len(kept), rng)
            contexts = [kept[j] for j in range(max(0, i - reach), min(len(kept), i + reach + 1))
                        if j != i]
            if not contexts:
                continue
            targets = [kept[i]] + [rng.noise_word(noise) for _ in range(negative)]
            loss += cbow_step(w_in, w_out, contexts, inputs, targets, alpha, lockf, corrected)
            examples += 1
    return loss, examples, rng.state


def cbow_loss(w_in, w_out, contexts, inputs, targets):
    """The CBOW example's loss in float64, for finite differences (no update)."""
    in_offsets, in_rows = inputs
    w_in, w_out = w_in.astype(np.float64), w_out.astype(np.float64)
    hidden = np.mean([w_in[in_rows[in_offsets[c]:in_offsets[c + 1]]].mean(axis=0)
                      for c in contexts], axis=0)
    scores = w_out[targets] @ hidden
    return float(np.logaddexp(0, -scores[0]) + np.logaddexp(0, scores[1:]).sum())


def phrase_pass(sentences, min_count, threshold, scoring, connectors, max_conn=4):
    """One pass of word2phrase with connector words, written plainly: returns
    ({phrase: (score, count)}, joined sentences).

    Candidates are consecutive non-connector words with at most ``max_conn``
    connectors between them; joining is greedy from the left, and a word that ends
    a phrase starts none.
    """
    from collections import Counter

    counts, spans, total = Counter(), Counter(), 0
    for sentence in sentences:
        total += len(sentence)
        counts.update(sentence)
        for span in _candidate_spans(sentence, connectors, max_conn):
            spans[span] += 1
    found = {}
    for span, n in spans.items():
        a, b = counts[span[0]], counts[span[-1]]
        if n < min_count:
            continue
        if scoring == "npmi":
            value = np.log(n * total / (a * b)) / -np.log(n / total)
        else:
            value = (n - min_count) / (a * b) * total
        if value > threshold:
            found["_".join(span)] = (value, n)
    return found, [_join_sentence(s, found, connectors, max_conn) for s in sentences]


def _candidate_spans(sentence, connectors, max_conn):
    first, between = None, []
    for word in sentence:
        if word in connectors:
            if first is not None:
                between.append(word)
            continue
        if first is not None and len(between) <= max_conn:
            yield (first, *between, word)
        first, between = word, []


def _join_sentence(sentence, found, connectors, max_conn):
    out, first, between = [], None, []
    for word in sentence:
        if word in connectors:
            (between if first is not None else out).append(word)
            continue
        if first is not None:
            name = "_".join([first, *between, word])
            if len(between) <= max_conn and name in found:
                out.append(name)
                first, between = None, []
                continue
            out += [first, *between]
        first, between = word, []
    return out + ([first, *between] if first is not None else [])
