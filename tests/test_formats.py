"""Export, import and interop with gensim's word2vec reader and writer."""

import numpy as np
import pytest
from click.testing import CliRunner

from wordvec import Embeddings
from wordvec.cli import main
from wordvec.formats import export, read_vectors


@pytest.fixture
def emb():
    rng = np.random.default_rng(3)
    words = ["the", "king", "queen", "naïve", "日本"]
    return Embeddings(words, [9, 7, 5, 3, 1], rng.normal(size=(5, 6)).astype(np.float32))


@pytest.mark.parametrize("fmt, exact", [("glove", False), ("word2vec", False),
                                        ("word2vec-binary", True)])
def test_round_trip(emb, tmp_path, fmt, exact):
    out = tmp_path / "v"
    export(emb, out, fmt, precision=9 if exact else 6)
    words, matrix = read_vectors(out)
    assert words == emb.words
    if exact:
        np.testing.assert_array_equal(matrix, emb.vectors)
    else:
        np.testing.assert_allclose(matrix, emb.vectors, rtol=1e-5, atol=1e-6)


def test_glove_lines_parse_back_by_hand(emb, tmp_path):
    """The GloVe layout itself: word, single spaces, no header, frequency order."""
    out = tmp_path / "v.txt"
    export(emb, out, "glove", precision=6)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5 and [ln.split(" ")[0] for ln in lines] == emb.words
    parsed = np.array([[float(x) for x in line.split(" ")[1:]] for line in lines])
    np.testing.assert_allclose(parsed, emb.vectors, rtol=1e-5)
    export(emb, out, "glove", limit=2, normalize=True)
    rows = [[float(x) for x in ln.split()[1:]] for ln in out.read_text().splitlines()]
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, rtol=1e-5)


def test_npy_export_and_limit(emb, tmp_path):
    export(emb, tmp_path / "npy", "npy", limit=3, normalize=True)
    matrix = np.load(tmp_path / "npy" / "vectors.npy")
    assert (tmp_path / "npy" / "vocab.txt").read_text(encoding="utf-8").split() == emb.words[:3]
    np.testing.assert_allclose(np.linalg.norm(matrix, axis=1), 1.0, rtol=1e-6)


@pytest.mark.parametrize("fmt, binary, no_header", [("glove", False, True),
                                                    ("word2vec", False, False),
                                                    ("word2vec-binary", True, False)])
def test_gensim_reads_our_exports(emb, tmp_path, fmt, binary, no_header):
    keyed = pytest.importorskip("gensim.models").KeyedVectors
    export(emb, tmp_path / "v", fmt, precision=9)
    kv = keyed.load_word2vec_format(str(tmp_path / "v"), binary=binary, no_header=no_header)
    assert list(kv.index_to_key) == emb.words
    np.testing.assert_allclose(kv.vectors, emb.vectors, rtol=1e-6)


@pytest.mark.parametrize("binary, header", [(False, True), (True, True), (False, False)])
def test_we_read_gensim_files(emb, tmp_path, binary, header):
    keyed = pytest.importorskip("gensim.models").KeyedVectors
    kv = keyed(emb.dim)
    kv.add_vectors(emb.words, np.asarray(emb.vectors))
    kv.save_word2vec_format(str(tmp_path / "g"), binary=binary, write_header=header)
    words, matrix = read_vectors(tmp_path / "g")
    assert words == emb.words
    np.testing.assert_allclose(matrix, emb.vectors, rtol=1e-6)


def _binary(records, n=None, dim=2):
    """word2vec binary bytes: a header, then word, space, floats, newline per record."""
    body = b"".join(w.encode() + b" " + np.asarray(v, "<f4").tobytes() + b"\n"
                    for w, v in records)
    return f"{len(records) if n is None else n} {dim}\n".encode() + body


@pytest.mark.parametrize("content, message", [
    (b"a 1 2\nb 1\n", "line 2 has 1 numbers, expected 2"),
    (b"2 2\na 1 2\nb 1 x\n", "line 3 has a value that is not a number"),
    (b"a 1 2\na 3 4\n", "line 2: the word 'a' appears a second time"),
    (b"3 2\na 1 2\nb 3 4\n", "header says 3 words"),
    (b"", "no vectors found"),
    (b"a 1 2\nb nan 4\n", "line 2 has a NaN or infinite value"),
    (b"a 1 2\nb 3 -inf\n", "line 2 has a NaN or infinite value"),
    (b"3 0\n", "header says dim 0"),
    (_binary([("a", [1, 2]), ("b", [np.nan, 1])]), r"the vector of 'b' has a NaN"),
    (_binary([("a", [1, 2]), ("b", [np.inf, 1])]), r"the vector of 'b' has a NaN"),
    (_binary([("a\tb", [1, 2])]), r"the word 'a\\tb' is empty or holds a tab"),
    (_binary([("a\rb", [1, 2])]), r"holds a tab or line break"),
    (_binary([("a", [1, 2]), ("b", [3, 4]), ("c", [5, 6])], n=2),
     "header says 2 words, but more data follows"),
    (_binary([("a", [1, 2])], n=10**12), "header says 1,000,000,000,000 words of dim 2"),
])
def test_malformed_vectors_are_clear_errors(tmp_path, content, message):
    """Text errors name the line, binary ones the byte offset or the header."""
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        read_vectors(path)


def test_truncated_binary_names_the_offset(emb, tmp_path):
    export(emb, tmp_path / "v.bin", "word2vec-binary")
    data = (tmp_path / "v.bin").read_bytes()
    (tmp_path / "cut.bin").write_bytes(data[:-10])
    with pytest.raises(ValueError, match=r"truncated at byte [\d,]+: vector 5 of 5"):
        read_vectors(tmp_path / "cut.bin")


def test_text_export_refuses_words_with_whitespace(emb, tmp_path):
    bad = Embeddings(["a b", "c"], [2, 1], emb.vectors[:2])
    for fmt in ("glove", "word2vec-binary"):
        with pytest.raises(ValueError, match="'a b' contains whitespace"):
            export(bad, tmp_path / "v", fmt)
    assert list(tmp_path.iterdir()) == []


def test_import_command_makes_a_queryable_model(emb, tmp_path):
    export(emb, tmp_path / "v.bin", "word2vec-binary")
    runner = CliRunner()
    result = runner.invoke(main, ["import", str(tmp_path / "v.bin"), "-o", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    back = Embeddings.load(tmp_path / "m")
    assert back.words == emb.words
    np.testing.assert_array_equal(back.vectors, emb.vectors)
    nb = runner.invoke(main, ["neighbors", "king", "-k", "2", "-m", str(tmp_path / "m")])
    assert nb.exit_code == 0 and len(nb.output.splitlines()) == 2


def test_a_byte_order_mark_is_not_part_of_the_first_word(emb, tmp_path):
    for fmt in ("glove", "word2vec", "word2vec-binary"):
        export(emb, tmp_path / "v", fmt, precision=9)
        (tmp_path / "bom").write_bytes(b"\xef\xbb\xbf" + (tmp_path / "v").read_bytes())
        words, matrix = read_vectors(tmp_path / "bom")
        assert words == emb.words
        np.testing.assert_allclose(matrix, emb.vectors, rtol=1e-6)


def test_import_of_unstorable_words_fails_cleanly(tmp_path):
    (tmp_path / "v.bin").write_bytes(_binary([("ok", [1, 2]), ("new\nline", [3, 4])]))
    result = CliRunner().invoke(main, ["import", str(tmp_path / "v.bin"), "-o",
                                       str(tmp_path / "m")])
    assert result.exit_code == 2 and "holds a tab or line break" in result.output
    assert not (tmp_path / "m").exists()
