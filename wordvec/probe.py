"""The loss probe: a fixed random sample of (context, centre, noise) triples whose
SGNS loss is measured after each epoch, so that epochs can be compared (the running
loss over the pairs trained cannot be: see ``trainer._epoch_loop``).
"""

from __future__ import annotations

import numpy as np

from .config import TrainConfig


def probe_pairs(ids, offsets, noise_probs, config: TrainConfig, n: int, rng):
    """A random sample of (context, centre, noise words) triples for tracking the loss.

    Positions are uniform over ``ids``, contexts within ``window`` in the same
    sentence (``window`` 0: anywhere else in it). Returns int arrays: contexts (m,),
    centres (m,), noise (m, negative).
    """
    pos = rng.integers(0, len(ids), n)
    sent = np.searchsorted(offsets, pos, side="right") - 1
    lo, hi = offsets[sent], offsets[sent + 1]
    if config.window:
        ctx = pos + rng.integers(1, config.window + 1, n) * rng.choice([-1, 1], n)
    else:
        ctx = lo + rng.integers(0, np.maximum(hi - lo - 1, 1))
        ctx += ctx >= pos  # skip the centre itself
    ok = (ctx >= lo) & (ctx < hi)
    draws = rng.choice(len(noise_probs), size=(int(ok.sum()), config.negative), p=noise_probs)
    return ids[ctx[ok]], ids[pos[ok]], draws


def probe_loss(w_in, w_out, probe, clip: float, batch: int = 512) -> float:
    """Mean SGNS loss of the probe pairs under the current weights (float64, no update).

    Scores are clipped to +-``clip``, as the kernels clip them for their loss.
    """
    contexts, centres, noise = probe
    total = 0.0
    for start in range(0, len(contexts), batch):
        x = w_in[contexts[start:start + batch]].astype(np.float64)
        pos = np.einsum("ij,ij->i", x, w_out[centres[start:start + batch]])
        neg = np.einsum("ij,ikj->ik", x, w_out[noise[start:start + batch]])
        total += np.logaddexp(0, -np.clip(pos, -clip, clip)).sum()
        total += np.logaddexp(0, np.clip(neg, -clip, clip)).sum()
    return total / max(len(contexts), 1)
