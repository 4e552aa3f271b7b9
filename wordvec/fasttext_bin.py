"""fastText's binary model (``.bin``): written from a subword model, read memory-mapped.

The layout, as fastText's ``FastText::saveModel`` writes it (version 12, native
little-endian): int32 magic 793712314 and version; the arguments (``dim ws epoch
minCount neg wordNgrams loss model bucket minn maxn lrUpdateRate``, int32 each,
then ``t`` as float64); the dictionary (int32 size, nwords, nlabels; int64
ntokens and pruneidx size, -1 when not pruned; per entry the UTF-8 word, a zero
byte, int64 count and int8 type, 0 for a word); a quantisation flag byte and the
input matrix (int64 rows and columns, then float32 rows: the words' own rows, then
one per bucket); another flag byte and the output matrix likewise.

Reading parses the dictionary and memory-maps both matrices in place, so a
multi-GB file opens in the time it takes to read its words, and a query touches
only the rows it needs. Buckets that we never trained are written as zeros (see
``subwords.Subwords``), so fastText and gensim give the vectors we give.
"""

from __future__ import annotations

import itertools
import mmap
import os
import struct
import sys
from pathlib import Path

import numpy as np

from . import files
from .config import TrainConfig
from .embeddings import Embeddings
from .subwords import Subwords

MAGIC, VERSION = 793712314, 12
ARGS = struct.Struct("<12id")  # dim ws epoch minCount neg wordNgrams loss model bucket
#                                minn maxn lrUpdateRate, then t
LOSS_NS, MODEL_CBOW, MODEL_SKIPGRAM, MODEL_SUPERVISED = 2, 1, 2, 3
LR_UPDATE_RATE = 100  # fastText's default; only read by fastText's trainer
BLOCK_ROWS = 1 << 16


def is_fasttext_bin(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a regular file starting with fastText's magic number (a FIFO
    or device is never read here: its first bytes would be lost to the real reader)."""
    head = files.regular_head(path, 4)
    return head is not None and len(head) == 4 and struct.unpack("<i", head)[0] == MAGIC


def write(emb: Embeddings, out: str | os.PathLike) -> None:
    """Write the subword model ``emb`` as a fastText ``.bin`` (streamed, atomic for files)."""
    table = emb.subwords
    if table is None:
        raise ValueError("fasttext-bin holds character n-gram vectors, which this model does "
                         "not have; train with --subwords, or export another format")
    if str(out) == "-" and sys.stdout.isatty():
        raise ValueError("binary output cannot go to the terminal; pass -o FILE or a pipe")
    with files.open_output(out) as f:
        f.write(_header(emb))
        f.write(struct.pack("<?qq", False, len(emb) + table.buckets, emb.dim))
        for block in itertools.chain(_blocks(table.words), _bucket_blocks(table)):
            f.write(block.tobytes())
        context = emb.context if emb.context is not None else np.zeros_like(table.words)
        f.write(struct.pack("<?qq", False, len(emb), emb.dim))
        for block in _blocks(context):
            f.write(block.tobytes())


def _header(emb: Embeddings) -> bytes:
    c, table = emb.config, emb.subwords
    kind = MODEL_CBOW if c.model == "cbow" else MODEL_SKIPGRAM
    args = ARGS.pack(c.dim, c.window, c.epochs, c.min_count, c.negative, 1, LOSS_NS, kind,
                     table.buckets, table.minn, table.maxn, LR_UPDATE_RATE, c.sample)
    tokens = int(emb.stats.get("train_tokens") or int(np.sum(emb.counts)))
    entries = b"".join(w.encode("utf-8") + b"\0" + struct.pack("<qb", int(n), 0)
                       for w, n in zip(emb.words, emb.counts.tolist()))
    return (struct.pack("<ii", MAGIC, VERSION) + args
            + struct.pack("<iiiqq", len(emb), len(emb), 0, tokens, -1) + entries)


def _blocks(matrix):
    """``matrix`` as little-endian float32 blocks of ``BLOCK_ROWS`` rows (a memory map is
    read a block at a time)."""
    for start in range(0, len(matrix), BLOCK_ROWS):
        yield np.ascontiguousarray(matrix[start:start + BLOCK_ROWS], "<f4")


def _bucket_blocks(table: Subwords):
    """The bucket rows in order, ``BLOCK_ROWS`` at a time; buckets without a row are zero."""
    if table.used is None:
        yield from _blocks(table.ngrams)
        return
    for start in range(0, table.buckets, BLOCK_ROWS):
        stop = min(start + BLOCK_ROWS, table.buckets)
        block = np.zeros((stop - start, table.ngrams.shape[1]), "<f4")
        lo, hi = np.searchsorted(table.used, [start, stop])
        block[table.used[lo:hi] - start] = table.ngrams[lo:hi]
        yield block


def read(path: str | os.PathLike) -> Embeddings:
    """Open a fastText ``.bin`` as a subword model, its matrices memory-mapped.

    Raises ValueError for what is not an unsupervised, unquantised fastText model or
    is truncated. The vectors of the vocabulary's words are composed when first
    needed (``Embeddings.vectors``), not here.
    """
    path = Path(path)
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        try:
            return _parse(path, data)
        except (struct.error, IndexError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path}: truncated or corrupt fastText model ({exc}); "
                             f"check the file") from None


def _parse(path: Path, data) -> Embeddings:
    magic, version = struct.unpack_from("<ii", data, 0)
    if magic != MAGIC or version > VERSION:
        raise ValueError(f"{path}: not a fastText model of version {VERSION} or older")
    (dim, ws, epoch, min_count, neg, _, _, model, bucket, minn, maxn, _,
     t) = ARGS.unpack_from(data, 8)
    pos = 8 + ARGS.size
    size, nwords, nlabels, ntokens, pruned = struct.unpack_from("<iiiqq", data, pos)
    if nlabels or model == MODEL_SUPERVISED:
        raise ValueError(f"{path}: a supervised fastText model (a classifier) has no word "
                         f"vectors to read; give an unsupervised (skipgram or cbow) model")
    if pruned >= 0:
        raise ValueError(f"{path}: a pruned (quantised) fastText model is not supported; "
                         f"give the full .bin")
    words, counts, pos = _read_entries(data, pos + struct.calcsize("<iiiqq"), size)
    quantised, rows, cols = struct.unpack_from("<?qq", data, pos)
    if quantised:
        raise ValueError(f"{path}: a quantised fastText model (.ftz) is not supported; "
                         f"give the full .bin")
    if rows != nwords + bucket or cols != dim:
        raise ValueError(f"{path}: input matrix of {rows} x {cols}, expected "
                         f"{nwords + bucket} x {dim}; the file is corrupt")
    start = pos + struct.calcsize("<?qq")
    matrix = _map(path, start, rows, cols, len(data))
    context = _read_output(path, data, start + rows * cols * 4, nwords, dim, neg)
    config = TrainConfig(model="cbow" if model == MODEL_CBOW else "skipgram",
                         dim=dim, window=max(ws, 1), negative=max(neg, 1),
                         epochs=max(epoch, 1), min_count=max(min_count, 1),
                         sample=t if 0 <= t < 1 else 1e-3, subwords=True, minn=max(minn, 1),
                         maxn=max(maxn, minn, 1), buckets=max(bucket, 1),
                         tokenizer="whitespace", lowercase=False)
    table = Subwords(matrix[:nwords], matrix[nwords:], None, minn, maxn, bucket)
    stats = {"imported_from": str(path), "train_tokens": int(ntokens), "vocab_size": nwords}
    return Embeddings(words, counts, None, context, config, stats, subwords=table)


def _read_entries(data, pos: int, size: int) -> tuple[list[str], np.ndarray, int]:
    """The dictionary's words and counts (words only, in file order) and the end offset."""
    words, counts = [], np.empty(size, dtype=np.int64)
    entry = struct.Struct("<qb")
    n = 0
    for _ in range(size):
        end = data.find(b"\0", pos)
        if end < 0:
            raise struct.error("the dictionary ends early")
        count, kind = entry.unpack_from(data, end + 1)
        if kind == 0:
            words.append(data[pos:end].decode("utf-8"))
            counts[n] = count
            n += 1
        pos = end + 1 + entry.size
    return words, counts[:n], pos


def _map(path: Path, offset: int, rows: int, cols: int, size: int) -> np.ndarray:
    if offset + rows * cols * 4 > size:
        raise ValueError(f"{path}: truncated fastText model (a matrix runs past the end); "
                         f"check the file")
    return np.memmap(path, dtype="<f4", mode="r", offset=offset, shape=(rows, cols))


def _read_output(path: Path, data, pos: int, nwords: int, dim: int, neg: int):
    """The output matrix when it has a row per word (negative sampling), else None."""
    quantised, rows, cols = struct.unpack_from("<?qq", data, pos)
    if quantised or rows != nwords or cols != dim or neg <= 0:
        return None
    return _map(path, pos + struct.calcsize("<?qq"), rows, cols, len(data))
