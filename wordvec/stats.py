"""What a training run measured: the schema of ``meta.json``'s ``"stats"``, in one place.

``trainer.train`` fills a ``TrainStats`` as it goes and the model keeps it as a
plain dict (``Embeddings.stats``, saved as JSON); ``TrainStats.from_dict`` reads
one back with attribute access. Fields left at None (a run without ``--resume``
or ``--init``, an imported model) are not written.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field


@dataclass
class TrainStats:
    # corpus and vocabulary
    raw_tokens: int = 0  # tokens read, before min-count and subsampling
    train_tokens: int = 0  # tokens of vocabulary words: what each epoch trains on
    sentences: int = 0  # non-empty lines (a line over 10,000 tokens counts as several)
    distinct_words: int = 0  # distinct tokens still counted when counting ended
    vocab_size: int = 0  # words kept (min-count, max-vocab)
    pruned_while_counting: int = 0  # rare entries dropped to respect max-vocab-size
    invalid_utf8: int = 0  # invalid UTF-8 sequences read as U+FFFD
    sequences_cut: int = 0  # sentences longer than --max-sequence, cut into pieces
    phrases: int | None = None  # --phrases: phrases found (all passes)
    phrase_joins: int | None = None  # --phrases: tokens saved by joining (raw minus joined)
    phrase_candidates_pruned: int | None = None  # --phrases: rare candidates dropped for memory
    vocab_seconds: float = 0.0  # counting, phrases and encoding, wall time
    # training
    compile_seconds: float = 0.0  # loading (or compiling) the Numba kernels
    train_seconds: float = 0.0  # the epochs, without compiling
    words_per_second: float = 0.0  # train tokens x epochs done / train_seconds
    threads: int = 0
    epoch_losses: list[float] = field(default_factory=list)  # probe-sample loss per epoch
    running_losses: list[float] = field(default_factory=list)  # mean loss of pairs trained
    complete: bool = True  # False when interrupted: the vectors are partly trained
    progress: float = 1.0  # share of the planned tokens x epochs trained
    # several MPI ranks (distributed.py): None in a run of one process
    ranks: int | None = None
    sync_ticks: int | None = None  # times the frequent rows were merged while training
    sync_seconds: float | None = None  # spent waiting for those allreduces (sync thread)
    sync_megabytes: float | None = None  # rows this rank sent to them (payload, MB)
    epoch_end_sync_seconds: float | None = None  # waiting for all ranks, merging all rows
    # where training started from
    resumed_words: int | None = None  # --resume: words the model had
    new_words: int | None = None  # --resume: words added
    init_coverage: int | None = None  # --init: vocabulary words found in the vectors
    imported_from: str | None = None  # wordvec import: the file the vectors came from

    def update(self, **values) -> None:
        """Set fields by name; a name that is not a field is an error, not a new key."""
        for name, value in values.items():
            if name not in _NAMES:
                raise AttributeError(f"TrainStats has no field {name!r}")
            setattr(self, name, value)

    def to_dict(self) -> dict:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict) -> TrainStats:
        """Read saved stats, ignoring keys this version does not know."""
        return cls(**{k: v for k, v in data.items() if k in _NAMES})


_NAMES = {f.name for f in dataclasses.fields(TrainStats)}
