"""Training configuration: every hyper-parameter in one frozen dataclass.

The CLI takes its option defaults from here, and the config is saved with the
model, so this file is the single source of truth for what a run means.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

TOKENIZERS = ("default", "whitespace")


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of a skip-gram negative-sampling run.

    Defaults follow word2vec.c (Mikolov et al. 2013) for skip-gram.
    Raises ``ValueError`` from ``__post_init__`` for out-of-range values.
    """

    dim: int = 100  # vector size
    window: int = 5  # max context distance; each centre word draws its own in [1, window]
    negative: int = 5  # noise words per positive pair
    alpha: float = 0.025  # initial learning rate
    min_alpha: float = 0.0001  # learning rate reached at the very end of the last epoch
    epochs: int = 5
    sample: float = 1e-3  # frequent-word subsampling threshold; 0 disables it
    min_count: int = 5  # words seen fewer times are dropped
    max_vocab: int = 0  # keep only the N most frequent words; 0 means no limit
    max_vocab_size: int = 10_000_000  # prune rare entries while counting past this many
    threads: int = 0  # 0 means every core
    seed: int = 1
    lowercase: bool = True  # default tokenizer only
    tokenizer: str = "default"  # "default" (NFKC, words) or "whitespace" (split only)
    # Draw noise words once per centre word, shared by its contexts (Ji et al. 2016),
    # instead of once per pair as word2vec.c does: faster, not word2vec.c's exact update.
    shared_negatives: bool = False

    def __post_init__(self) -> None:
        for name in ("dim", "window", "epochs", "min_count", "max_vocab_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.negative < 1:
            raise ValueError(f"negative must be at least 1 (skip-gram needs noise words), "
                             f"got {self.negative}")
        for name in ("max_vocab", "threads", "seed"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 or more, got {getattr(self, name)}")
        if not self.alpha > 0:
            raise ValueError(f"alpha must be above 0, got {self.alpha}")
        if not 0 <= self.min_alpha <= self.alpha:
            raise ValueError(f"min_alpha must be in [0, alpha], got {self.min_alpha}")
        if not 0 <= self.sample < 1:
            raise ValueError(f"sample must be in [0, 1), got {self.sample}")
        if self.tokenizer not in TOKENIZERS:
            raise ValueError(f"tokenizer must be one of {TOKENIZERS}, got {self.tokenizer!r}")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        """Build from saved metadata, ignoring keys this version does not know."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})
