"""Streaming corpus reader: paths -> sentences (lists of token strings).

Scope: plain text, gzip, bzip2 and xz files (detected by magic bytes, then by
extension), folders (walked recursively in sorted order) and ``-`` for stdin.
Text is read in bounded chunks, so memory does not grow with the size of a file
or of a line. One line is one sentence; a line longer than ``MAX_SENTENCE_LEN``
tokens is cut into consecutive sentences, and no token is ever dropped.
Invalid UTF-8 is decoded with U+FFFD replacement characters.

This module knows nothing about the vocabulary.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import lzma
import os
import queue
import re
import stat
import sys
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .files import has_model_marker, regular_head

MAX_SENTENCE_LEN = 10_000
CHUNK_BYTES = 1 << 20
# A run of text with no whitespace longer than this is cut: no real word is that long,
# and holding it whole would let a binary file grow memory without bound.
MAX_CARRY_CHARS = 1 << 20
SCAN_BYTES = 1 << 16  # read this much at a time when looking for a line start

# Letters or digits, with inner apostrophes, hyphens or underscores: "don't",
# "well-known", and "new_york" as ``wordvec phrases`` writes a phrase.
_WORD_RE = re.compile(r"[^\W_]+(?:['\u2019\-_][^\W_]+)*")

_MAGIC = {b"\x1f\x8b": gzip.open, b"BZh": bz2.open, b"\xfd7zXZ\x00": lzma.open}
_EXTENSIONS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
# First bytes of common binary formats; NUL bytes catch most of the rest.
_BINARY_MAGIC = (b"\x7fELF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"%PDF", b"MZ")


class CorpusError(ValueError):
    """The corpus cannot be read as text; the message says why and what to do."""


@dataclass(frozen=True)
class Span:
    """Bytes [start, stop) of a plain file, each at a line start: a part of the input
    that one process reads (``distributed.share``). Stands where a path can in the
    list of files that ``expand_paths`` makes, and is named as its file."""

    path: Path
    start: int
    stop: int

    def __str__(self) -> str:
        return str(self.path)


def tokenize(text: str, tokenizer: str = "default", lowercase: bool = True) -> list[str]:
    """Split text into tokens.

    ``default``: Unicode NFKC, optional lowercasing, words are runs of letters or
    digits keeping inner apostrophes, hyphens and underscores (a joined phrase);
    punctuation is dropped.
    ``whitespace``: split on whitespace only, nothing else touched (like word2vec.c).

    >>> tokenize("The King's well-known horse, 2 times in New_York!")
    ['the', "king's", 'well-known', 'horse', '2', 'times', 'in', 'new_york']
    """
    if tokenizer == "whitespace":
        return text.split()
    return _WORD_RE.findall(normalize(text, lowercase))


def normalize(text: str, lowercase: bool = True) -> str:
    """What the default tokenizer does to text before finding words: NFKC, then lowercase.

    >>> normalize("Ｋｉｎｇ")
    'king'
    """
    text = unicodedata.normalize("NFKC", text)
    return text.lower() if lowercase else text


def expand_paths(inputs: Iterable[str | os.PathLike]) -> list[str | Path]:
    """Resolve inputs to a list of files (``-`` kept as stdin); folders recursively, sorted.

    A folder walk skips hidden files and folders (``.git/``, our temporaries) and
    wordvec model folders (a model saved inside the corpus folder is not text).
    """
    files: list[str | Path | Span] = []
    for item in inputs:
        if isinstance(item, Span) or str(item) == "-":
            files.append(item if isinstance(item, Span) else "-")
            continue
        path = Path(item)
        if path.is_dir():
            found = _walk(path)
            if not found:
                raise CorpusError(f"{path}: folder holds no files; point at a text file or folder")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file; check the corpus path")
    if not files:
        raise CorpusError("no corpus given; pass a text file, a folder or - for stdin")
    return files


def _walk(folder: Path) -> list[Path]:
    """Visible files under ``folder``, sorted, outside hidden folders and model folders."""
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")
                   and not has_model_marker(Path(root) / d)]
        found.extend(Path(root) / n for n in names if not n.startswith("."))
    return sorted(p for p in found if p.is_file())


def input_size(files: Iterable[str | Path]) -> int | None:
    """Total bytes on disk of the files, or None when stdin or a pipe is among them."""
    sizes = [f.stop - f.start if isinstance(f, Span) else
             os.path.getsize(f) if _is_regular(f) else None for f in files]
    return None if None in sizes else sum(sizes)


def _is_regular(path: str | Path) -> bool:
    """A regular file (not stdin, a FIFO, ``<(process substitution)`` or a device)."""
    return path != "-" and stat.S_ISREG(os.stat(path).st_mode)


def _open_binary(path: str | Path):
    """Open a file or stdin for reading bytes, decompressing by magic or extension."""
    raw = sys.stdin.buffer if path == "-" else open(path, "rb")
    head = raw.peek(8)[:8] if hasattr(raw, "peek") else b""
    opener = next((f for m, f in _MAGIC.items() if head.startswith(m)), None)
    if opener is None and path != "-":
        opener = _EXTENSIONS.get(Path(path).suffix.lower())
    return raw, (opener(raw, "rb") if opener else raw)


def is_plain_file(path: str | Path) -> bool:
    """A regular file, not compressed (by magic bytes or extension): it can be read in
    byte ranges. False where it cannot be opened (reading it says why)."""
    if isinstance(path, Span):
        return True
    head = regular_head(path, 8) if path != "-" else None
    return head is not None and not head.startswith(tuple(_MAGIC)) \
        and Path(path).suffix.lower() not in _EXTENSIONS


def check_head(path: str | Path, binary_ok: bool) -> None:
    """Refuse a plain file whose start looks binary, as ``iter_text`` does."""
    with open(path, "rb") as f:
        _check_text(str(path), f.read(8192), binary_ok)


def _check_text(name: str, first: bytes, binary_ok: bool) -> None:
    if binary_ok or not first:
        return
    if first.startswith(_BINARY_MAGIC) or b"\x00" in first[:8192]:
        raise CorpusError(f"{name}: looks like a binary file, not text; "
                          "pass a text corpus (or set `binary_ok` to read it anyway)")


def iter_text(path: str | Path, on_bytes: Callable[[int], None] | None = None,
              binary_ok: bool = False, stats=None) -> Iterator[str]:
    """Yield decoded text chunks of about ``CHUNK_BYTES`` from one file.

    ``on_bytes`` gets the number of on-disk (compressed) bytes consumed since its
    last call. Invalid UTF-8 becomes U+FFFD; ``stats.invalid_utf8`` (when ``stats``
    is given: a ``TrainStats`` or anything with that attribute) counts the
    sequences replaced.
    """
    name = "stdin" if path == "-" else str(path)
    if isinstance(path, Span):
        yield from _span_text(path, on_bytes, binary_ok, stats)
        return
    try:
        raw, stream = _open_binary(path)
    except PermissionError:
        raise CorpusError(f"{name}: permission denied; make the file readable") from None
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    done = decoded = 0
    seekable = _is_regular(path)  # a pipe has no position to report progress by
    try:
        while True:
            try:
                data = stream.read(CHUNK_BYTES)
            except (OSError, EOFError, lzma.LZMAError) as exc:
                raise CorpusError(f"{name}: corrupt or truncated compressed data after "
                                  f"{decoded:,} bytes of text ({exc}); re-create or "
                                  f"re-download it") from None
            if decoded == 0:
                _check_text(name, data, binary_ok)
            if on_bytes is not None and seekable:
                pos = raw.tell()
                on_bytes(pos - done)
                done = pos
            if not data:
                break
            decoded += len(data)
            text = decoder.decode(data)
            if stats is not None:
                bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
                stats.invalid_utf8 += bad
            yield text
        yield decoder.decode(b"", final=True)
    finally:
        if path != "-":
            stream.close()
            raw.close()


def _span_text(span: Span, on_bytes, binary_ok: bool, stats) -> Iterator[str]:
    """``iter_text`` of a Span; its file's head is checked for binary data."""
    if span.start == 0:
        check_head(span.path, binary_ok)
    count = (lambda n: None) if stats is None else \
        (lambda n: setattr(stats, "invalid_utf8", stats.invalid_utf8 + n))
    yield from range_text(span.path, span.start, span.stop, count, on_bytes)


def range_text(path, start: int, stop: int, count_invalid: Callable[[int], None],
               on_bytes: Callable[[int], None] | None = None) -> Iterator[str]:
    """Decoded text of bytes [start, stop) of a plain file, in ``CHUNK_BYTES`` chunks;
    invalid UTF-8 becomes U+FFFD as ``iter_text`` makes it, ``count_invalid`` gets
    the number of sequences replaced in each chunk and ``on_bytes`` (optional) the
    bytes read."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    with open(path, "rb") as f:
        f.seek(start)
        left = stop - start
        while left > 0:
            data = f.read(min(CHUNK_BYTES, left))
            if not data:
                break
            left -= len(data)
            if on_bytes is not None:
                on_bytes(len(data))
            text = decoder.decode(data)
            count_invalid(text.count("\ufffd") - data.count(b"\xef\xbf\xbd"))
            yield text
    yield decoder.decode(b"", final=True)


def line_ranges(path, step: int, start: int = 0, stop: int | None = None) \
        -> list[tuple[int, int]]:
    """Byte ranges of about ``step`` bytes covering [start, stop) of the file (default:
    all of it), each starting at a line start; ``start`` must be one."""
    stop = os.path.getsize(path) if stop is None else stop
    cuts = [start]
    with open(path, "rb") as f:
        while cuts[-1] + step < stop:
            cuts.append(min(next_line_start(f, cuts[-1] + step), stop))
    if cuts[-1] < stop:
        cuts.append(stop)
    return list(zip(cuts[:-1], cuts[1:]))


def next_line_start(f, pos: int) -> int:
    """The first line start at or after ``pos`` in the open file ``f`` (its size when
    none)."""
    if pos <= 0:
        return 0
    f.seek(pos - 1)
    while True:
        block = f.read(SCAN_BYTES)
        if not block:
            return f.tell()
        found = block.find(b"\n")
        if found >= 0:
            return f.tell() - len(block) + found + 1


def _split_carry(carry: str) -> tuple[str, str]:
    """Split an over-long unfinished line into (complete part, unfinished last word)."""
    cut = max(carry.rfind(" "), carry.rfind("\t"))
    if cut <= 0 or len(carry) - cut > MAX_CARRY_CHARS:
        return carry, ""
    return carry[:cut], carry[cut:]


def iter_sentences(inputs: Iterable[str | os.PathLike], tokenizer: str = "default",
                   lowercase: bool = True, on_bytes: Callable[[int], None] | None = None,
                   binary_ok: bool = False, stats=None) -> Iterator[list[str]]:
    """Yield sentences (non-empty token lists of at most ``MAX_SENTENCE_LEN``) from inputs.

    Example: a file holding ``"a b\\n\\nc\\n"`` yields ``['a', 'b']`` then ``['c']``.
    ``on_bytes``, ``binary_ok`` and ``stats`` are passed to ``iter_text``.
    """
    for path in expand_paths(inputs):
        pending: list[str] = []  # tokens of a line seen so far (line longer than a chunk)
        pieces = line_pieces(path, on_bytes, binary_ok, stats)
        for tokens, ends in line_tokens(pieces, tokenizer, lowercase):
            if not ends:  # the head of a line longer than a chunk
                pending.extend(tokens)
                pending = yield from _cut(pending, final=False)
                continue
            if pending:  # the rest of a line longer than a chunk
                tokens, pending = pending + tokens, []
            if 0 < len(tokens) < MAX_SENTENCE_LEN:
                yield tokens  # the common case, without _cut's copies
            else:
                yield from _cut(tokens, final=True)


def line_tokens(pieces: Iterable[tuple[str, bool]], tokenizer: str = "default",
                lowercase: bool = True) -> Iterator[tuple[list[str], bool]]:
    """The tokens of each line of ``line_pieces``: yields (tokens, ends), with ``ends``
    False for the head of a line that goes on in the next yield. Empty lines too."""
    for text, ends_line in pieces:
        if not ends_line:
            yield tokenize(text, tokenizer, lowercase), False
            continue
        lines = text.split("\n")
        if len(lines) > 1:
            lines.pop()  # the empty rest after the last newline
        for line in lines:
            yield tokenize(line, tokenizer, lowercase), True


def iter_line_bytes(inputs: Iterable[str | os.PathLike],
                    on_bytes: Callable[[int], None] | None = None, binary_ok: bool = False,
                    stats=None) -> Iterator[tuple[bytes, bool]]:
    """The text of the inputs as UTF-8 chunks of whole lines, for the whitespace
    tokenizer's counting kernel: yields (bytes, ends_line) as ``line_pieces``.

    The text is decoded as ``iter_sentences`` decodes it (invalid UTF-8 becomes
    U+FFFD) and encoded again, so splitting the bytes on whitespace gives the same
    words as ``str.split``.
    """
    for path in expand_paths(inputs):
        for text, ends_line in line_pieces(path, on_bytes, binary_ok, stats):
            yield text.encode("utf-8"), ends_line


def read_ahead(items: Iterable, depth: int = 2) -> Iterator:
    """``items``, made on a thread of their own up to ``depth`` ahead of the caller.

    For a pipeline whose stages let go of the GIL (NumPy, file reads, ``nogil``
    kernels): reading and splitting the next chunk of text runs on a second core
    while a kernel counts this one. An exception raised by ``items`` is raised here,
    after the items made before it. When the caller stops early (an error, Ctrl-C),
    closing this generator waits for the thread to finish the item in hand and close
    ``items``, so nothing reads on while Python shuts down. So ``items`` must not
    wait for input: regular files, not stdin or pipes.
    """
    ready: queue.Queue = queue.Queue(depth)
    stop = threading.Event()

    def make() -> None:
        source = iter(items)
        try:
            for item in source:
                if not _hand_over(ready, stop, (True, item)):
                    return
            _hand_over(ready, stop, (False, None))
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller
            _hand_over(ready, stop, (False, exc))
        finally:
            getattr(source, "close", lambda: None)()

    worker = threading.Thread(target=make, name="wordvec-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            more, item = ready.get()
            if not more:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stop.set()
        worker.join()


def _hand_over(ready: queue.Queue, stop: threading.Event, entry) -> bool:
    """Put ``entry`` in ``ready`` unless ``stop`` is set first; whether it was put."""
    while not stop.is_set():
        try:
            ready.put(entry, timeout=0.05)
            return True
        except queue.Full:
            continue
    return False


def line_pieces(path, on_bytes, binary_ok: bool, stats) -> Iterator[tuple[str, bool]]:
    """One input's text as pieces of whole lines: yields (text, ends_line).

    A piece ends with a newline, except the input's last (its unfinished last line,
    perhaps empty) and the head of a line longer than ``MAX_CARRY_CHARS``, cut at a
    space or tab (``ends_line`` False: the line goes on in the next piece).
    """
    return pieces_of(iter_text(path, on_bytes, binary_ok, stats))


def pieces_of(chunks: Iterable[str]) -> Iterator[tuple[str, bool]]:
    """``line_pieces`` of any stream of text chunks (one input's text, in order)."""
    carry = ""
    for chunk in chunks:
        text = carry + chunk
        cut = text.rfind("\n") + 1
        if cut:
            yield text[:cut], True
        carry = text[cut:]
        if len(carry) > MAX_CARRY_CHARS:
            head, carry = _split_carry(carry)
            yield head, False
    yield carry, True


def _cut(tokens: list[str], final: bool):
    """Yield full sentences from tokens; return the unfinished rest (empty when final)."""
    start = 0
    while len(tokens) - start >= MAX_SENTENCE_LEN:
        yield tokens[start:start + MAX_SENTENCE_LEN]
        start += MAX_SENTENCE_LEN
    rest = tokens[start:]
    if final and rest:
        yield rest
        return []
    return rest
