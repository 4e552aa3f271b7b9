"""Interchange formats, written and read back:

- ``glove``: one line per word, the word then its floats separated by single spaces,
  no header line (what GloVe ships and many tools read);
- ``word2vec``: the same lines after an ``n_words dim`` header line (word2vec.c's
  text output, fastText's ``.vec``);
- ``word2vec-binary``: the header line, then per word its UTF-8 bytes, a space,
  ``dim`` little-endian float32 and a newline (word2vec.c's binary output);
- ``npy``: a folder with ``vectors.npy`` and ``vocab.txt`` (one word a line), for
  NumPy, PyTorch and Keras users;
- ``csv``: a ``value,d0,d1,...`` header, then one row per word (quoted where the
  CSV rules ask): the mapping table of categorical values to vectors that
  spreadsheets, pandas and SQL loaders read;
- ``fasttext-bin``: fastText's binary model, n-gram rows included, for fastText and
  gensim's ``load_facebook_model`` (``fasttext_bin.py``; subword models only).

The first five hold one vector per word (item ids written as their digits); a
subword model's are its composed vectors, as fastText's ``.vec`` holds.

Words are written in frequency order. Regular files appear only when complete;
``-``, devices and FIFOs are written as streams (``files.open_output``).
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import stat
import sys
from pathlib import Path

import numpy as np

from . import fasttext_bin, files
from .embeddings import Embeddings, storable
from .subwords import Subwords

BLOCK_ROWS = 2048
BOM = b"\xef\xbb\xbf"  # UTF-8 byte order mark
FORMATS = ("glove", "word2vec", "word2vec-binary", "npy", "csv", "fasttext-bin")


def _check_text_safe(words: list[str]) -> None:
    for word in words:
        if not word or any(c.isspace() for c in word):
            raise ValueError(f"word {word!r} contains whitespace and cannot be written to a "
                             f"text format; export with -f npy instead")


def _rows(emb: Embeddings, limit: int, normalize: bool):
    """(words, matrix) of the ``limit`` most frequent words (all when 0)."""
    n = min(limit, len(emb)) if limit else len(emb)
    matrix = emb.unit_vectors() if normalize else emb.vectors
    words = emb.words[:n]
    return words if emb.tokens == "str" else list(map(str, words)), matrix[:n]


def text_blocks(words, matrix, precision: int = 6):
    """Yield blocks of text lines, ``word f1 f2 ...``, each ending in a newline.

    The caller has checked the words (``_check_text_safe``), before any byte is written.
    """
    fmt = " ".join([f"%.{precision}g"] * matrix.shape[1])
    for start in range(0, len(words), BLOCK_ROWS):
        block = np.asarray(matrix[start:start + BLOCK_ROWS], dtype=np.float64).tolist()
        yield "".join(f"{w} {fmt % tuple(row)}\n"
                      for w, row in zip(words[start:start + BLOCK_ROWS], block))


def csv_blocks(words, matrix, precision: int = 6):
    """Yield blocks of CSV text: the ``value,d0,d1,...`` header, then a row per word."""
    def block(rows) -> str:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        return out.getvalue()

    yield block([["value"] + [f"d{d}" for d in range(matrix.shape[1])]])
    for start in range(0, len(words), BLOCK_ROWS):
        values = np.asarray(matrix[start:start + BLOCK_ROWS], dtype=np.float64).tolist()
        yield block([w] + [f"{x:.{precision}g}" for x in row]
                    for w, row in zip(words[start:start + BLOCK_ROWS], values))


def binary_blocks(words, matrix):
    """Yield word2vec binary records (without the header)."""
    for start in range(0, len(words), BLOCK_ROWS):
        block = np.asarray(matrix[start:start + BLOCK_ROWS], dtype="<f4")
        yield b"".join(w.encode("utf-8") + b" " + row.tobytes() + b"\n"
                       for w, row in zip(words[start:start + BLOCK_ROWS], block))


def export(emb: Embeddings, out: str | os.PathLike, fmt: str = "glove", limit: int = 0,
           normalize: bool = False, precision: int = 6) -> None:
    """Write ``emb`` in ``fmt`` to ``out`` (``-`` for stdout, text formats only)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    if fmt == "fasttext-bin":
        if limit or normalize:
            raise ValueError("fasttext-bin holds the whole model as trained; leave out "
                             "--limit and --normalize")
        return fasttext_bin.write(emb, out)
    words, matrix = _rows(emb, limit, normalize)
    if fmt != "csv":
        _check_text_safe(words)  # before the first byte: a stream cannot be taken back
    if fmt == "npy":
        return _export_npy(words, matrix, Path(out))
    header = f"{len(words)} {matrix.shape[1]}\n"
    if fmt == "csv":
        parts = _encoded("", csv_blocks(words, matrix, precision))
    elif fmt == "word2vec-binary":
        parts = itertools.chain([header.encode("ascii")], binary_blocks(words, matrix))
    else:
        parts = _encoded(header if fmt == "word2vec" else "", text_blocks(words, matrix, precision))
    if fmt == "word2vec-binary" and str(out) == "-" and sys.stdout.isatty():
        raise ValueError("binary output cannot go to the terminal; pass -o FILE or a pipe")
    with files.open_output(out) as f:
        for part in parts:
            f.write(part)


def _encoded(header: str, blocks):
    yield header.encode("utf-8")
    for block in blocks:
        yield block.encode("utf-8")


def _export_npy(words, matrix, out: Path) -> None:
    if files.is_stream(out):
        raise ValueError(f"{out}: npy writes a folder (vectors.npy + vocab.txt); "
                         f"give a folder path")
    out.mkdir(parents=True, exist_ok=True)
    with files.open_output(out / "vectors.npy") as f:
        np.save(f, np.ascontiguousarray(matrix, dtype=np.float32))
    with files.open_output(out / "vocab.txt") as f:
        f.write("".join(w + "\n" for w in words).encode("utf-8"))


def read_pretrained(path: str | os.PathLike) -> tuple[list[str], np.ndarray,
                                                      Subwords | None]:
    """Words, vectors and (from a fastText ``.bin``) n-gram rows to start training from."""
    if fasttext_bin.is_fasttext_bin(path):
        emb = fasttext_bin.read(path)
        return emb.words, emb.vectors, emb.subwords
    return (*read_vectors(path), None)


def read_vectors(path: str | os.PathLike) -> tuple[list[str], np.ndarray]:
    """Read GloVe text, word2vec text or word2vec binary, detected from the content.

    Streams the file; raises ValueError naming the line (text) or byte offset
    (binary) of anything malformed: a wrong number of floats, a value that is not
    a number or not finite, a truncated file, a word given twice, a word holding a
    tab or line break, a header that does not match the file. A UTF-8 byte order
    mark at the start is skipped.
    """
    path = Path(path)
    with open(path, "rb") as f:
        start = len(BOM) if f.read(len(BOM)) == BOM else 0  # Windows editors add one
        f.seek(start)
        header = _parse_header(f.readline(1 << 16))
        if header is None:
            f.seek(start)
            return _read_text(f, path, None, 1)
        if header[1] < 1:
            raise ValueError(f"{path}: header says dim {header[1]}; expected 'n_words dim'")
        if _next_line_is_text(f, header[1]):
            return _read_text(f, path, header, 2)
        _check_binary_size(f, path, *header)
        return _read_binary(f, path, *header)


def _check_binary_size(f, path: Path, n: int, dim: int) -> None:
    """Refuse a header that promises more vectors than the file can hold (before allocating)."""
    info = os.fstat(f.fileno())
    if not stat.S_ISREG(info.st_mode):
        return  # a pipe has no size to check against; a short one fails as truncated
    left = info.st_size - f.tell()
    least = n * (4 * dim + 2)  # a one-byte word, a space and the floats per vector
    if least > left:
        raise ValueError(f"{path}: header says {n:,} words of dim {dim}, at least {least:,} "
                         f"bytes, but only {left:,} bytes follow it; the header or the file "
                         f"is damaged")


def _only_whitespace_left(f, rest: bytes) -> bool:
    while rest:
        if rest.strip():
            return False
        rest = f.read(1 << 20)
    return True


def _parse_header(line: bytes):
    parts = line.split()
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return int(parts[0]), int(parts[1])
    return None


def _next_line_is_text(f, dim: int) -> bool:
    pos = f.tell()
    line = f.readline(1 << 16)
    f.seek(pos)
    try:
        parts = line.decode("utf-8").split()
        [float(x) for x in parts[1:]]
    except (UnicodeDecodeError, ValueError):
        return False
    return len(parts) == dim + 1


def _read_text(f, path: Path, header, first_line: int):
    words, seen, blocks, block, dim = [], set(), [], [], header[1] if header else None
    for line_no, line in enumerate(f, first_line):
        parts = line.decode("utf-8", errors="replace").split()
        if not parts:
            continue
        dim = dim or len(parts) - 1
        if len(parts) != dim + 1 or dim < 1:
            raise ValueError(f"{path}: line {line_no} has {len(parts) - 1} numbers, "
                             f"expected {dim}")
        try:
            block.append(np.array(parts[1:], dtype=np.float32))
        except ValueError:
            raise ValueError(f"{path}: line {line_no} has a value that is not a number"
                             ) from None
        if not np.isfinite(block[-1]).all():
            raise ValueError(f"{path}: line {line_no} has a NaN or infinite value")
        _add_word(parts[0], words, seen, f"{path}: line {line_no}")
        if len(block) == BLOCK_ROWS:
            blocks.append(np.stack(block))
            block = []
    blocks += [np.stack(block)] if block else []
    if not words:
        raise ValueError(f"{path}: no vectors found; expected 'word f1 f2 ...' lines")
    if header and len(words) != header[0]:
        raise ValueError(f"{path}: header says {header[0]} words, the file has {len(words)}")
    return words, np.concatenate(blocks)


def _add_word(word: str, words: list, seen: set, where: str) -> None:
    if not storable(word):
        raise ValueError(f"{where}: the word {word!r} is empty or holds a tab or line break, "
                         f"which no model can store; fix or remove that vector")
    if word in seen:
        raise ValueError(f"{where}: the word {word!r} appears a second time")
    seen.add(word)
    words.append(word)


def _read_binary(f, path: Path, n: int, dim: int):
    record = 4 * dim
    words, seen, matrix = [], set(), np.empty((n, dim), dtype=np.float32)
    buf, pos, offset = b"", 0, f.tell()  # offset: file position of buf[0]
    for i in range(n):
        space = buf.find(b" ", pos)
        while space < 0 or len(buf) < space + 1 + record:
            more = f.read(1 << 20)
            if not more:
                raise ValueError(f"{path}: truncated at byte {offset + pos:,}: vector "
                                 f"{i + 1} of {n} is incomplete")
            buf, offset, pos = buf[pos:] + more, offset + pos, 0
            space = buf.find(b" ", pos)
        try:
            word = buf[pos:space].strip(b"\n").decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"{path}: byte {offset + pos:,}: word {i + 1} is not UTF-8"
                             ) from None
        _add_word(word, words, seen, f"{path}: byte {offset + pos:,}")
        matrix[i] = np.frombuffer(buf, dtype="<f4", count=dim, offset=space + 1)
        if not np.isfinite(matrix[i]).all():
            raise ValueError(f"{path}: byte {offset + pos:,}: the vector of {word!r} has a "
                             f"NaN or infinite value")
        pos = space + 1 + record
    if not _only_whitespace_left(f, buf[pos:]):
        raise ValueError(f"{path}: header says {n:,} words, but more data follows the last "
                         f"of them at byte {offset + pos:,}; fix the header")
    return words, matrix
