"""Model storage: words + float32 vectors + config, saved as a directory.

A model directory holds ``vectors.npy`` (input vectors, the word vectors),
``context.npy`` (output vectors, kept so training can continue), ``vocab.txt``
(one ``word<TAB>count`` line per row, frequency order) and ``meta.json`` (format
version, config, corpus and training stats). A subword model adds the words' own
input rows (``word_rows.npy``), the rows of the character n-gram buckets any word
uses (``ngrams.npy``) and those buckets' numbers (``ngram_buckets.npy``); its
``vectors.npy`` holds the composed vectors, as fastText's ``.vec`` does. Saving is
atomic: files are written to a hidden sibling directory, synced, then swapped in
with one rename, so the path always holds the old complete model or the new one;
only an empty folder or a folder that is provably a wordvec model is ever replaced
(``files.py``). Loading memory-maps the matrices with ``allow_pickle=False``:
nothing in a model file can run code.
"""

from __future__ import annotations

import difflib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import __version__, files
from .config import TrainConfig
from .corpus import normalize
from .query import analogy, nearest, unit_rows
from .sequences import is_id
from .subwords import Subwords

FORMAT_NAME = files.FORMAT_NAME
FORMAT_VERSION = 2  # 2 adds subword models; a model without subwords is still written as 1
PHRASE_JOINER = "_"  # the words of a phrase, joined into one token
SUGGEST_FROM = 50_000  # close spellings are looked for among this many most frequent words


class ModelError(ValueError):
    """A model directory is missing, incomplete or corrupt."""


class UnknownWordError(KeyError):
    """A query word is not in the vocabulary."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


@dataclass
class PhraseTable:
    """The phrases found, with the score and count that made each one (all passes)."""

    phrases: list[str] = field(default_factory=list)
    scores: np.ndarray = field(default_factory=lambda: np.zeros(0))
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pruned: int = 0  # candidate entries dropped to respect the table's size bound

    def __len__(self) -> int:
        return len(self.phrases)

    def merged(self, newer: PhraseTable) -> PhraseTable:
        """This table's phrases that ``newer`` lacks, then all of ``newer``'s."""
        found = set(newer.phrases)
        old = [i for i, p in enumerate(self.phrases) if p not in found]
        return PhraseTable([self.phrases[i] for i in old] + newer.phrases,
                           np.concatenate([self.scores[old], newer.scores]),
                           np.concatenate([self.counts[old], newer.counts]),
                           self.pruned + newer.pruned)

    def write(self, f) -> None:
        """``phrase<TAB>score<TAB>count`` lines to the binary file ``f``, best first
        within each pass."""
        rows = zip(self.phrases, self.scores.tolist(), self.counts.tolist())
        f.write("".join(f"{p}\t{s:.6g}\t{c}\n" for p, s, c in rows).encode("utf-8"))

    @classmethod
    def read(cls, path: Path) -> PhraseTable:
        try:
            rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
            return cls([r[0] for r in rows], np.array([float(r[1]) for r in rows]),
                       np.array([int(r[2]) for r in rows], dtype=np.int64))
        except FileNotFoundError:
            raise ModelError(f"{path} is missing; this is not a complete wordvec model") from None
        except (ValueError, IndexError, UnicodeDecodeError):
            raise ModelError(f"{path} is not 'phrase<TAB>score<TAB>count' lines; retrain or "
                             f"restore the model") from None


class Embeddings:
    """Word vectors with their vocabulary, counts, config and training stats.

    ``subwords`` (a ``subwords.Subwords``): the n-gram rows of a subword model, from
    which ``vector``, ``neighbors``, ``similarity`` and ``analogy`` compose vectors
    for words outside the vocabulary (``composed`` tells which words those are).
    ``phrases`` (a ``PhraseTable``): the phrases joined before training, if any; a
    query ``"new york"`` finds ``new_york``. ``words`` are strings, or ints for a
    model of item ids (``tokens`` says which; a query ``"42"`` finds the id 42).
    """

    def __init__(self, words, counts, vectors, context=None, config=None, stats=None,
                 subwords: Subwords | None = None, phrases: PhraseTable | None = None):
        self.subwords, self.phrases = subwords, phrases
        self.words = list(words)
        self.counts = np.asarray(counts, dtype=np.int64)
        self._vectors = None if vectors is None else _float32_matrix(vectors)
        self.context = None if context is None else _float32_matrix(context)
        self.config = config or TrainConfig()
        self.stats = dict(stats or {})
        self._index: dict[str, int] | None = None
        self._unit: np.ndarray | None = None
        rows = len(self.words if vectors is None else vectors)
        if vectors is None and subwords is None:
            raise ModelError("no vectors given, and no subwords to compose them from")
        if len(self.words) != rows or len(self.counts) != len(self.words):
            raise ModelError(f"{len(self.words)} words but {rows} vectors "
                             f"and {len(self.counts)} counts")

    @property
    def vectors(self) -> np.ndarray:
        """The words' vectors, float32 (n_words, dim); a model read from a fastText
        ``.bin`` composes them from its rows on first use (seconds for a large one)."""
        if self._vectors is None:
            self._vectors = self.subwords.word_vectors(self.words)
        return self._vectors

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word) -> bool:
        return (_as_id(word) if self.tokens == "int" else word) in self.index

    @property
    def tokens(self) -> str:
        """``"int"`` for a model of integer item ids, else ``"str"``."""
        return "int" if self.words and isinstance(self.words[0], int) else "str"

    def to_columns(self) -> dict[str, np.ndarray]:
        """The mapping table value -> vector as NumPy columns: ``value`` (int64 or str),
        ``count``, then ``d0``, ``d1``, ... (float32), one row per word in frequency
        order; ``pandas.DataFrame(emb.to_columns())`` is a table that ``to_parquet``,
        ``to_csv`` or a database loader takes as it is."""
        vectors = np.asarray(self.vectors)
        values = np.array(self.words, dtype=np.int64 if self.tokens == "int" else str)
        return {"value": values, "count": self.counts.copy(),
                **{f"d{d}": vectors[:, d].copy() for d in range(self.dim)}}

    @property
    def dim(self) -> int:
        return int((self.subwords.words if self._vectors is None else self._vectors).shape[1])

    @property
    def index(self) -> dict[str, int]:
        if self._index is None:
            self._index = {w: i for i, w in enumerate(self.words)}
        return self._index

    def id_of(self, word: str) -> int:
        """Row of ``word``; raises UnknownWordError naming it and close spellings.

        A word not in the vocabulary as given is looked up as the model's tokenizer
        would have written it (NFKC, and lowercased if the model was): a model
        trained that way finds ``King`` as ``king``.
        """
        row = self._row(word)
        if row is not None:
            return row
        close = difflib.get_close_matches(word, self.words[:SUGGEST_FROM], n=5, cutoff=0.75) \
            if isinstance(word, str) and self.tokens == "str" else []
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UnknownWordError(f"'{word}' is not in the vocabulary ({len(self):,} words){hint}")

    def spelling(self, word: str) -> str:
        """The vocabulary's own spelling of ``word`` (see ``id_of``); a word composed
        from subwords (``composed``) is its own spelling."""
        if self.composed(word):
            return word
        return self.words[self.id_of(word)]

    def composed(self, word: str) -> bool:
        """Whether ``word`` is outside the vocabulary but has a vector from its n-grams."""
        if self.subwords is None or self._row(word) is not None:
            return False
        return self.subwords.compose(word) is not None

    def _row(self, word) -> int | None:
        """``id_of`` without the error (and its search for close spellings): None."""
        if self.tokens == "int":  # an id, or its digits as typed on a command line
            return self.index.get(_as_id(word))
        if not isinstance(word, str):
            return None
        row = self.index.get(word)
        if row is None and self.config.tokenizer == "default":
            row = self.index.get(normalize(word, self.config.lowercase))
        if row is None and len(word.split()) > 1:  # "new york" as the phrase new_york
            row = self._row(PHRASE_JOINER.join(word.split()))
        return row

    def vector(self, word: str) -> np.ndarray:
        """The vector of ``word``; in a subword model, composed from its n-grams when it
        is not in the vocabulary (fastText's vector for an unseen word)."""
        row = self._row(word) if self.subwords is not None else self.id_of(word)
        if row is not None and self._vectors is None:  # not composed yet: just this one
            return self.subwords.vocab_vector(row, self.words[row])
        if row is not None:
            return np.asarray(self.vectors[row])
        found = self.subwords.compose(word)
        if found is None:
            self.id_of(word)  # raises, naming close spellings
        return found

    def _query(self, word: str) -> tuple[np.ndarray, tuple[int, ...]]:
        """A query word's unit vector, and its row to leave out of the answers (if any)."""
        row = self._row(word) if self.subwords is not None else self.id_of(word)
        if row is not None and self._vectors is not None:
            return self.unit_vectors()[row], (row,)
        return unit_rows(self.vector(word)), () if row is None else (row,)

    def neighbors(self, query, k: int = 10, restrict_vocab: int | None = None):
        """The ``k`` words most cosine-similar to ``query``: a word (itself excluded) or
        a vector. Returns (word, cosine) pairs, best first."""
        if isinstance(query, (str, int, np.integer)):
            target, exclude = self._query(query)
        else:
            target, exclude = np.asarray(query, np.float32), ()
        found = nearest(self.unit_vectors(), target, k, exclude, restrict_vocab)
        return [(self.words[i], score) for i, score in found]

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two words."""
        return float(self._query(a)[0] @ self._query(b)[0])

    def analogy(self, a: str, b: str, c: str, k: int = 1, method: str = "add",
                restrict_vocab: int | None = None):
        """a is to b as c is to ?: ``k`` (word, score) answers by 3CosAdd (``add``) or
        3CosMul (``mul``), the query words excluded (see ``query.analogy``)."""
        queries = [self._query(w) for w in (a, b, c)]
        found = analogy(self.unit_vectors(), np.array([q for q, _ in queries]), k, method,
                        restrict_vocab, [r for _, rows in queries for r in rows])
        return [(self.words[i], score) for i, score in found]

    def unit_vectors(self) -> np.ndarray:
        """Rows scaled to unit length (zero rows stay zero), computed once."""
        if self._unit is None:
            self._unit = unit_rows(self.vectors)
        return self._unit

    def save(self, path: str | os.PathLike, overwrite: bool = False) -> Path:
        """Write the model directory atomically; replace an existing model only if asked.

        Files go to a hidden sibling folder that records this process as its writer,
        which is then swapped in; such folders left by dead processes are removed
        first. Only a folder that is provably a wordvec model (``files.is_model_folder``)
        or empty is ever replaced.
        """
        path = Path(path)
        files.check_model_output(path, overwrite)
        if self.tokens == "str":
            _check_words_storable(self.words)
        files.sweep_temp_folders(path)
        tmp = files.make_temp_folder(path)
        try:
            self._write_files(tmp)
            files.check_model_output(path, overwrite)  # again: another writer may have won
            files.replace_folder(tmp, path)
        except OSError as exc:
            if isinstance(exc, FileExistsError) or exc.errno is None:
                raise
            raise OSError(exc.errno, f"{path}: could not write the model ({exc.strerror}); "
                                     f"free some space or choose another `path`; any "
                                     f"previous model there is untouched") from None
        finally:
            files.remove_model_files(tmp)
        return path

    def _write_files(self, folder: Path) -> None:
        _write_synced(folder / "vectors.npy", lambda f: np.save(f, np.asarray(self.vectors)))
        if self.context is not None:
            _write_synced(folder / "context.npy", lambda f: np.save(f, np.asarray(self.context)))
        _write_synced(folder / "vocab.txt", self._write_vocab)
        if self.phrases is not None:
            _write_synced(folder / "phrases.tsv", self.phrases.write)
        table = self.subwords
        if table is not None:
            parts = {"word_rows": table.words, "ngrams": table.ngrams,
                     "ngram_buckets": table.used}
            for name, matrix in parts.items():
                if matrix is not None:
                    _write_synced(folder / f"{name}.npy",
                                  lambda f, m=matrix: np.save(f, np.asarray(m)))
        meta = {"format": FORMAT_NAME, "format_version": 1 if table is None else 2,
                "wordvec_version": __version__, "n_words": len(self), "dim": self.dim,
                "tokens": self.tokens,
                "complete": bool(self.stats.get("complete", True)),
                "config": self.config.to_dict(), "stats": self.stats}
        text = json.dumps(meta, indent=2)
        _write_synced(folder / "meta.json", lambda f: f.write(text.encode("utf-8")))

    def _write_vocab(self, f, lines: int = 10_000) -> None:
        """``word<TAB>count`` lines, a batch at a time (no copy of the whole table)."""
        for start in range(0, len(self.words), lines):
            counts = self.counts[start:start + lines].tolist()
            text = "".join(f"{w}\t{c}\n" for w, c in zip(self.words[start:start + lines], counts))
            f.write(text.encode("utf-8"))

    @classmethod
    def load(cls, path: str | os.PathLike) -> Embeddings:
        """Open a model directory, or a fastText ``.bin``; matrices are memory-mapped,
        never unpickled."""
        path = Path(path)
        if path.is_file():
            from . import fasttext_bin  # it builds on this module

            if fasttext_bin.is_fasttext_bin(path):
                return fasttext_bin.read(path)
        if not path.is_dir():
            raise ModelError(f"{path}: no model there; train one with 'wordvec train CORPUS' "
                             f"or give another `model`")
        meta = _read_meta(path)
        words, counts = _read_vocab(path / "vocab.txt", meta.get("tokens") == "int")
        vectors = _read_matrix(path / "vectors.npy", len(words), meta.get("dim"))
        context = None
        if (path / "context.npy").exists():
            context = _read_matrix(path / "context.npy", len(words), meta.get("dim"))
        config = _read_config(path, meta)
        table = _read_subwords(path, config, len(words)) if config.subwords else None
        phrases = PhraseTable.read(path / "phrases.tsv") if config.phrases else None
        return cls(words, counts, vectors, context, config, meta["stats"], table, phrases)


def _float32_matrix(matrix) -> np.ndarray:
    """``matrix`` as float32, without a copy when it already is (a memmap stays one)."""
    if isinstance(matrix, np.ndarray) and matrix.dtype == np.float32:
        return matrix
    return np.asarray(matrix, dtype=np.float32)


def storable(word: str) -> bool:
    """vocab.txt holds one ``word<TAB>count`` line per word: no empty word, tab or line break."""
    return bool(word) and not any(c in word for c in "\t\n\r")


def _check_words_storable(words: list[str]) -> None:
    for word in words:
        if not storable(word):
            raise ValueError(f"the word {word!r} is empty or holds a tab or line break, so it "
                             f"cannot be stored; remove it from the vectors")


def _write_synced(path: Path, write) -> None:
    with open(path, "wb") as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())


def _read_meta(path: Path) -> dict:
    try:
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{path}: meta.json is missing; this is not a complete wordvec model"
                         ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path}/meta.json is corrupt ({exc}); retrain or restore the model"
                         ) from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise ModelError(f"{path}/meta.json is not wordvec model metadata")
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelError(f"{path}: model format {version!r} is newer than this wordvec reads "
                         f"({FORMAT_VERSION}); upgrade wordvec")
    meta.setdefault("stats", {})
    if not isinstance(meta["stats"], dict):
        raise ModelError(f"{path}/meta.json is corrupt (stats is not an object); "
                         f"retrain or restore the model")
    return meta


def _read_config(path: Path, meta: dict) -> TrainConfig:
    """The training settings saved in ``meta``; out-of-range or mistyped ones mean corrupt."""
    data = meta.get("config", {})
    try:
        if not isinstance(data, dict):
            raise TypeError("config is not an object")
        return TrainConfig.from_dict(data)
    except (TypeError, ValueError) as exc:
        raise ModelError(f"{path}/meta.json is corrupt ({exc}); retrain or restore the model"
                         ) from None


def _read_subwords(path: Path, config: TrainConfig, n_words: int) -> Subwords:
    """The n-gram side of a subword model, memory-mapped."""
    words = _read_matrix(path / "word_rows.npy", n_words, config.dim)
    used = None
    if (path / "ngram_buckets.npy").exists():
        used = _read_array(path / "ngram_buckets.npy")
        if used.dtype != np.int64 or used.ndim != 1 or (len(used) and (
                used[0] < 0 or used[-1] >= config.buckets or np.any(np.diff(used) <= 0))):
            raise ModelError(f"{path}/ngram_buckets.npy does not hold increasing bucket "
                             f"numbers below {config.buckets}; retrain or restore the model")
    rows = config.buckets if used is None else len(used)
    ngrams = _read_matrix(path / "ngrams.npy", rows, config.dim)
    return Subwords(words, ngrams, used, config.minn, config.maxn, config.buckets)


def _as_id(word) -> int | None:
    """``word`` as an item id: an int, or a string of digits (a sign allowed)."""
    if is_id(word):
        return int(word)
    digits = word.strip() if isinstance(word, str) else ""
    body = digits[1:] if digits.startswith(("+", "-")) else digits
    return int(digits) if body.isascii() and body.isdigit() else None


def _read_vocab(path: Path, ids: bool = False) -> tuple[list, np.ndarray]:
    """The words and counts of ``vocab.txt``; ``ids``: the words are integer ids."""
    words, counts = [], []
    try:
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                word, sep, count = line.rstrip("\n").rpartition("\t")
                if not sep or not count.isdigit():
                    raise ModelError(f"{path}: line {number} is not 'word<TAB>count'; "
                                     f"retrain or restore the model")
                item = _as_id(word) if ids else word
                if item is None:
                    raise ModelError(f"{path}: line {number} holds {word!r}, not an item id; "
                                     f"retrain or restore the model")
                words.append(item)
                counts.append(int(count))
    except FileNotFoundError:
        raise ModelError(f"{path} is missing; this is not a complete wordvec model") from None
    except UnicodeDecodeError:
        raise ModelError(f"{path} is not valid UTF-8; retrain or restore the model") from None
    return words, np.array(counts, dtype=np.int64)


def _read_array(path: Path) -> np.ndarray:
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except FileNotFoundError:
        raise ModelError(f"{path} is missing; this is not a complete wordvec model") from None
    except Exception as exc:  # noqa: BLE001 - a damaged header can fail in many ways
        # (ValueError, EOFError, SyntaxError, tokenize.TokenError, ... were all seen
        # while fuzzing); none of them may escape as anything but "corrupt".
        raise ModelError(f"{path} is truncated or corrupt ({type(exc).__name__}); "
                         f"retrain or restore it") from None


def _read_matrix(path: Path, n_rows: int, dim) -> np.ndarray:
    matrix = _read_array(path)
    if matrix.dtype != np.float32 or matrix.ndim != 2:
        raise ModelError(f"{path} holds {matrix.dtype} of shape {matrix.shape}, "
                         f"not a float32 matrix; retrain or restore it")
    if matrix.shape[0] != n_rows or (dim is not None and matrix.shape[1] != dim):
        raise ModelError(f"{path} has shape {matrix.shape} but the vocabulary has {n_rows} "
                         f"words of dim {dim}; the model files do not belong together")
    return matrix
