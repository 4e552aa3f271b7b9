import bz2
import gzip
import io
import lzma
import sys
import threading
import time

import pytest

from wordvec import corpus
from wordvec.corpus import CorpusError, iter_sentences, tokenize


@pytest.mark.parametrize("text, expected", [
    ("The King's horse, 2 times!", ["the", "king's", "horse", "2", "times"]),
    ("well-known -dash- 'quoted'", ["well-known", "dash", "quoted"]),
    ("don’t STOP", ["don’t", "stop"]),  # curly apostrophe stays inside a word
    ("Ｆｕｌｌｗｉｄｔｈ ＡＢＣ", ["fullwidth", "abc"]),  # NFKC folds compatibility forms
    ("École naïve Straße", ["école", "naïve", "straße"]),
    # an inner underscore joins, as in phrases (new_york) and identifiers; a double
    # hyphen or a leading or trailing underscore does not
    ("snake_case a--b _x_ new_york", ["snake_case", "a", "b", "x", "new_york"]),
    ("...!!! ,,, ", []),
])
def test_default_tokenizer(text, expected):
    assert tokenize(text) == expected


def test_no_lowercase_and_whitespace_mode():
    assert tokenize("The King's", lowercase=False) == ["The", "King's"]
    assert tokenize("The  King's,\tx", "whitespace") == ["The", "King's,", "x"]


def _sentences(path, **kw):
    return list(iter_sentences([path], **kw))


def test_lines_are_sentences_and_blank_lines_vanish(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a b\n\n  \nc\r\nd", encoding="utf-8")
    assert _sentences(path) == [["a", "b"], ["c"], ["d"]]


def test_long_line_is_cut_without_loss(tmp_path, monkeypatch):
    # Small chunks force the no-newline path: the line is longer than a chunk.
    monkeypatch.setattr(corpus, "CHUNK_BYTES", 100)
    monkeypatch.setattr(corpus, "MAX_CARRY_CHARS", 50)
    words = [f"w{i}" for i in range(25_003)]
    path = tmp_path / "long.txt"
    path.write_text(" ".join(words) + "\nz", encoding="utf-8")
    got = _sentences(path)
    assert [len(s) for s in got] == [10_000, 10_000, 5_003, 1]
    assert [t for s in got[:3] for t in s] == words


def test_multibyte_character_split_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "CHUNK_BYTES", 3)
    path = tmp_path / "u.txt"
    path.write_text("é日本 naïve\n", encoding="utf-8")
    assert _sentences(path) == [["é日本", "naïve"]]


@pytest.mark.parametrize("opener, suffix", [(gzip.open, ".gz"), (bz2.open, ".bz2"),
                                            (lzma.open, ".xz")])
def test_compressed_inputs_by_magic(tmp_path, opener, suffix):
    path = tmp_path / f"c{suffix}"
    with opener(path, "wt", encoding="utf-8") as f:
        f.write("One two\nthree\n")
    renamed = path.rename(tmp_path / "no_extension")  # detection is by magic bytes
    assert _sentences(renamed) == [["one", "two"], ["three"]]


def test_folder_read_recursively_in_sorted_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("second\n")
    (tmp_path / "a.txt").write_text("first\n")
    (tmp_path / ".hidden").write_text("never\n")
    assert _sentences(tmp_path) == [["first"], ["second"]]


def test_stdin(monkeypatch):
    fake = io.TextIOWrapper(io.BufferedReader(io.BytesIO(b"from stdin\n")))
    monkeypatch.setattr(sys, "stdin", fake)
    assert list(iter_sentences(["-"])) == [["from", "stdin"]]


def test_invalid_utf8_is_replaced_not_fatal(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"caf\xe9 ok\n")
    assert _sentences(path, tokenizer="whitespace") == [["caf\ufffd", "ok"]]


def test_missing_and_binary_inputs_are_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        _sentences(tmp_path / "nope.txt")
    binary = tmp_path / "img.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(CorpusError, match="binary"):
        _sentences(binary)
    assert _sentences(binary, binary_ok=True, tokenizer="whitespace")  # --binary-ok reads it


@pytest.mark.parametrize("compress, suffix", [(gzip.compress, ".gz"), (bz2.compress, ".bz2"),
                                              (lzma.compress, ".xz")])
def test_truncated_compressed_input_names_the_file_and_progress(tmp_path, compress, suffix):
    path = tmp_path / f"cut{suffix}"
    data = compress(bytes(range(97, 123)) * 200_000)  # 5.2 MB of text, several chunks
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorpusError, match=rf"cut{suffix}: corrupt or truncated compressed "
                                          r"data after [\d,]+ bytes of text"):
        _sentences(path)


def test_unreadable_file_says_so(tmp_path, monkeypatch):
    def denied(path):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(corpus, "_open_binary", denied)  # root can read anything: simulate
    (tmp_path / "c.txt").write_text("x\n")
    with pytest.raises(CorpusError, match="c.txt: permission denied; make the file readable"):
        _sentences(tmp_path / "c.txt")


def test_read_ahead_gives_every_item_in_order_then_the_error():
    def items():
        yield from range(50)
        raise CorpusError("broken at 50")

    got = []
    with pytest.raises(CorpusError, match="broken at 50"):
        for item in corpus.read_ahead(items(), depth=3):
            got.append(item)
    assert got == list(range(50))


def test_read_ahead_stops_and_closes_its_source_when_the_caller_stops():
    closed, made = threading.Event(), []

    def items():
        try:
            for i in range(10_000):
                made.append(i)
                yield i
        finally:
            closed.set()

    ahead = corpus.read_ahead(items(), depth=2)
    assert [next(ahead) for _ in range(3)] == [0, 1, 2]
    ahead.close()
    assert closed.wait(timeout=5)
    time.sleep(0.1)
    assert len(made) <= 6  # what was read ahead, not the whole source
