"""Training configuration: every hyper-parameter in one frozen dataclass.

Each field carries its default, its one-line meaning and its valid range; the CLI
builds its options from them (``cli.config_options``) and the config is saved with
the model, so this file is the single source of truth for what a run means.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

TOKENIZERS = ("default", "whitespace")
MODELS = ("skipgram", "cbow")
CBOW_UPDATES = ("corrected", "word2vec")
# The starting learning rate when --alpha is not given, by model and CBOW update.
# skip-gram: word2vec.c's. Corrected CBOW: measured (README, "CBOW";
# scripts/tune_cbow_alpha.py). word2vec.c's CBOW update: word2vec.c's CBOW default.
DEFAULT_ALPHA = {("skipgram", "corrected"): 0.025, ("skipgram", "word2vec"): 0.025,
                 ("cbow", "corrected"): 0.15, ("cbow", "word2vec"): 0.05}
# The longest piece a sequence is cut into when --max-sequence is not given: the
# readers' cut for a window; a whole-sequence window trains n^2 pairs on a piece of
# n items, so there 1,000 (a million pairs) unless asked.
DEFAULT_MAX_SEQUENCE = {False: 10_000, True: 1_000}
PHRASE_SCORINGS = ("word2vec", "npmi")
# The score a pair must pass to be joined when --phrase-threshold is not given:
# word2phrase's for its scoring; for npmi (in [-1, 1]) a pair seen together over
# about half as often as it could be.
DEFAULT_PHRASE_THRESHOLD = {"word2vec": 100.0, "npmi": 0.5}


def default_shared_negatives(config) -> bool:
    """Shared negatives unless asked: on for skip-gram word vectors with a window, where
    it trained as well as word2vec.c's per-pair update on 1M to 46M tokens of text, and
    faster (docs/performance.md, #16). Off for CBOW and subwords (their
    updates draw per centre or per pair already) and for a whole-sequence window
    (``window`` 0), where one update would sum the gradients of up to
    ``max_sequence`` contexts."""
    return config.model == "skipgram" and not config.subwords and config.window != 0


def _setting(default, meaning: str, low=None, high=None, *, low_open=False, high_open=False,
             choices=None):
    """A field with its meaning and range: ``low <= value <= high`` (``<`` when open)."""
    return field(default=default, metadata={"help": meaning, "low": low, "high": high,
                                            "low_open": low_open, "high_open": high_open,
                                            "choices": choices})


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of a skip-gram or CBOW negative-sampling run.

    Defaults follow word2vec.c (Mikolov et al. 2013) for skip-gram. ``alpha`` left
    at None takes the model's default (``DEFAULT_ALPHA``) and is stored resolved, as
    are the other settings whose default depends on the rest.
    Raises ``ValueError`` from ``__post_init__`` for out-of-range values.
    """

    model: str = _setting("skipgram", "skipgram: each word predicts its context words; "
                                      "cbow: the mean of the context predicts the word "
                                      "(faster).", choices=MODELS)
    cbow_update: str = _setting("corrected", "CBOW: corrected: the true gradient of the "
                                             "context mean; word2vec: word2vec.c's and "
                                             "gensim's update.", choices=CBOW_UPDATES)
    dim: int = _setting(100, "Vector size.", 1, 10_000)
    window: int = _setting(5, "Largest context distance; each word draws its own in "
                              "[1, window]. 0: every other item of the sequence (a basket "
                              "is a set; item2vec).", 0, 1000)
    shrink_windows: bool = _setting(True, "Draw each word's window in [1, window] "
                                          "(word2vec.c); --no-shrink-windows keeps it at "
                                          "window.")
    max_sequence: int | None = _setting(
        None, "Cut sequences into pieces of at most this many kept items [default: 10000; "
              "1000 with --window 0, where a piece of n items costs n^2 pairs].", 2, 10_000)
    negative: int = _setting(5, "Noise words per (word, context) pair.", 1, 1000)
    alpha: float | None = _setting(None, "Initial learning rate [default: 0.025 skipgram, "
                                         "0.15 cbow, 0.05 cbow with --cbow-update "
                                         "word2vec].", 0.0, low_open=True)
    min_alpha: float = _setting(0.0001, "Learning rate reached at the very end of the last "
                                        "epoch (at most alpha).", 0.0)
    epochs: int = _setting(5, "Passes over the corpus.", 1)
    sample: float = _setting(1e-3, "Frequent-word subsampling threshold (0: off, keep "
                                   "every token).", 0.0, 1.0, high_open=True)
    ns_exponent: float = _setting(0.75, "Noise words are drawn by count^ns_exponent: 0.75 "
                                        "word2vec.c; 0 uniform; 1 by count; may be "
                                        "negative.", -10.0, 10.0)
    min_count: int = _setting(5, "Drop words seen fewer times.", 1)
    max_vocab: int = _setting(0, "Keep only the N most frequent words (0: all).", 0)
    max_vocab_size: int = _setting(10_000_000, "While counting, prune the rarest words past "
                                               "this many (bounds memory).", 1)
    threads: int = _setting(0, "Threads to train on (0: every core).", 0)
    seed: int = _setting(1, "Random seed (0 or more); with --threads 1 the same seed gives "
                            "bit-identical vectors.", 0)
    lowercase: bool = _setting(True, "Lowercase words (default tokenizer).")
    tokenizer: str = _setting("default", "default: Unicode NFKC words of letters and digits; "
                                         "whitespace: split on whitespace only.",
                              choices=TOKENIZERS)
    # Draw noise words once per centre word, shared by its contexts, and update each
    # row once per centre (Ji et al. 2016), instead of once per pair as word2vec.c
    # does. None: on where it was measured to be as good (DEFAULT_SHARED_NEGATIVES).
    shared_negatives: bool | None = _setting(
        None, "One draw of noise words per centre word, shared by its contexts, and one "
              "update per centre: faster [default: on for skip-gram word vectors with a "
              "window]. --no-shared-negatives: word2vec.c's exact per-pair update.")
    # Subword vectors (fastText; Bojanowski et al. 2017): a word's input vector is the
    # mean of its own row and its character n-grams' rows, so unseen words get vectors.
    subwords: bool = _setting(False, "Learn character n-gram vectors too (fastText): "
                                     "vectors for words never seen.")
    minn: int = _setting(3, "Shortest character n-gram (with --subwords).", 1, 100)
    maxn: int = _setting(6, "Longest character n-gram (with --subwords).", 1, 100)
    buckets: int = _setting(2_000_000, "Hash buckets the n-grams share (with --subwords).",
                            1, 2**31 - 1)
    # Phrases (word2vec.c's word2phrase): frequent collocations become one token.
    phrases: int = _setting(0, "Join collocations (new york -> new_york) in N passes before "
                               "training; each pass can lengthen a phrase (0: off).", 0, 10)
    phrase_threshold: float | None = _setting(
        None, "Score a pair must pass to be joined [default: 100 for word2vec scoring, 0.5 "
              "for npmi].")
    phrase_min_count: int = _setting(5, "Pairs seen fewer times are never joined; the "
                                        "discount in word2vec scoring.", 1)
    phrase_scoring: str = _setting("word2vec", "word2vec: (n(ab) - min) / (n(a) n(b)) x "
                                               "tokens; npmi: normalised PMI in [-1, 1].",
                                   choices=PHRASE_SCORINGS)
    connectors: str = _setting("", "Words allowed inside a phrase (bank_of_america): 'en' "
                                   "or a file, one word a line.")
    # Several MPI ranks (distributed.py; Ji et al. 2016): how often the ranks merge
    # the most frequent words' rows while they train.
    sync_interval: float = _setting(0.1, "With several MPI ranks: merge the 1,024 most "
                                         "frequent words' rows every this many seconds, "
                                         "the next 2,048 at twice that, and so on.",
                                    0.0, 3600.0, low_open=True)

    def __post_init__(self) -> None:
        if self.alpha is None and self.model in MODELS and self.cbow_update in CBOW_UPDATES:
            object.__setattr__(self, "alpha", DEFAULT_ALPHA[self.model, self.cbow_update])
        if self.max_sequence is None and isinstance(self.window, int):
            object.__setattr__(self, "max_sequence", DEFAULT_MAX_SEQUENCE[self.window == 0])
        if self.shared_negatives is None:
            object.__setattr__(self, "shared_negatives", default_shared_negatives(self))
        if self.phrase_threshold is None and self.phrase_scoring in PHRASE_SCORINGS:
            object.__setattr__(self, "phrase_threshold",
                               DEFAULT_PHRASE_THRESHOLD[self.phrase_scoring])
        for spec in dataclasses.fields(self):
            problem = _out_of_range(getattr(self, spec.name), spec.metadata)
            if problem:
                raise ValueError(f"{spec.name} must be {problem}, got {getattr(self, spec.name)!r}")
        if self.min_alpha > self.alpha:
            raise ValueError(f"min_alpha must be in [0, alpha], got {self.min_alpha}")
        if self.minn > self.maxn:
            raise ValueError(f"minn must be at most maxn, got minn {self.minn} and maxn "
                             f"{self.maxn}")
        if self.phrase_scoring == "npmi" and not -1 <= self.phrase_threshold <= 1:
            raise ValueError(f"`phrase_threshold` must be in [-1, 1] for npmi scoring, got "
                             f"{self.phrase_threshold}")
        if self.model == "cbow" and self.shared_negatives:
            raise ValueError("`shared_negatives` is for skip-gram; CBOW draws one set of "
                             "noise words per centre word already; leave it out")
        if self.subwords and self.shared_negatives:
            raise ValueError("`shared_negatives` is not available with `subwords` (fastText's "
                             "update draws noise words per pair); leave one out")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        """Build from saved metadata, ignoring keys this version does not know."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def _out_of_range(value, spec) -> str:
    """What ``value`` must be per the field's ``spec``, or '' when it is fine."""
    if spec["choices"] is not None:
        return "" if value in spec["choices"] else f"one of {spec['choices']}"
    low, high = spec["low"], spec["high"]
    if low is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"a number of at least {low}"
    too_low = value <= low if spec["low_open"] else value < low
    too_high = high is not None and (value >= high if spec["high_open"] else value > high)
    if not (too_low or too_high):
        return ""
    if high is None:
        return f"above {low}" if spec["low_open"] else \
            ("0 or more" if low == 0 else f"at least {low}")
    return f"in [{low}, {high}{')' if spec['high_open'] else ']'}"
