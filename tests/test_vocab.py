import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordvec import vocab as vocab_mod
from wordvec.vocab import Vocab, build_vocab, count_and_spool, encode, read_ids

# Hand-worked corpus. Counts: the 3, cat 2, sat 2, on 1, mat 1, dog 1, a 1.
# min_count=2 keeps the, cat, sat; ties (cat, sat: 2) go by word, so the ids are
# the=0, cat=1, sat=2. Encoded: [0 1 2 0] [0 2] [1] with offsets [0, 4, 6, 7];
# the "on mat" tokens and the "dog" and "a" tokens are out of vocabulary.
SENTENCES = [["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "sat"], ["a", "cat"]]


def _raw(tmp_path, sentences=SENTENCES, max_vocab_size=100):
    return count_and_spool(iter(sentences), tmp_path, max_vocab_size)


def test_hand_worked_counts_ids_and_encoding(tmp_path):
    raw = _raw(tmp_path)
    assert raw.n_tokens == 11 and raw.n_sentences == 3
    assert {w: int(raw.counts[i]) for w, i in raw.index.items()} == {
        "the": 3, "cat": 2, "sat": 2, "on": 1, "mat": 1, "dog": 1, "a": 1}
    vocab = build_vocab(raw, min_count=2)
    assert vocab.words == ["the", "cat", "sat"]
    assert vocab.counts.tolist() == [3, 2, 2]
    ids, offsets = encode(raw, vocab, tmp_path, chunk=4)  # chunks cut through sentences
    assert np.asarray(ids).tolist() == [0, 1, 2, 0, 0, 2, 1]
    assert offsets.tolist() == [0, 4, 6, 7]


def test_max_vocab_and_sentences_left_empty(tmp_path):
    raw = _raw(tmp_path)
    vocab = build_vocab(raw, min_count=1, max_vocab=2)
    assert vocab.words == ["the", "cat"]
    for chunk in (1, 2, 3, 1 << 20):  # sentence ends are read a chunk at a time too
        ids, offsets = encode(raw, vocab, tmp_path, chunk=chunk)
        assert np.asarray(ids).tolist() == [0, 1, 0, 0, 1]
        assert offsets.tolist() == [0, 3, 4, 5]
        ids, offsets = encode(raw, build_vocab(raw, min_count=1, max_vocab=1), tmp_path,
                              chunk=chunk)  # "a cat" is left empty and dropped
        assert np.asarray(ids).tolist() == [0, 0, 0] and offsets.tolist() == [0, 2, 3]


def test_pruning_while_counting_drops_rare_entries(tmp_path, monkeypatch):
    monkeypatch.setattr(vocab_mod, "FLUSH_TOKENS", 4)
    common = [["king", "queen"]] * 20
    rare = [[f"rare{i}", f"odd{i}"] for i in range(30)]
    sentences = [s for pair in zip(common, rare) for s in pair] + common[:10]
    raw = _raw(tmp_path, sentences, max_vocab_size=5)
    assert raw.pruned > 0
    assert len(raw.index) <= 5 + 4  # may overshoot by one flush of new words
    vocab = build_vocab(raw, min_count=5)
    assert vocab.words == ["king", "queen"]
    assert vocab.counts.tolist() == [30, 30]  # frequent words never lose counts


def test_keep_thresholds_follow_word2vec_formula():
    vocab = Vocab(["the", "cat", "sat"], np.array([3, 2, 2]))
    f = 3 / 7  # frequency of "the" among vocabulary tokens
    expected = (np.sqrt(f / 0.1) + 1) * 0.1 / f  # = 0.71638...
    thresholds = vocab.keep_thresholds(0.1)
    assert thresholds[0] == pytest.approx(expected * 2**32, abs=1)
    assert 0.7163 < thresholds[0] / 2**32 < 0.7164
    assert (vocab.keep_thresholds(0.0) == 2**32).all()  # sample 0: keep everything
    assert (Vocab(["x"], np.array([5])).keep_thresholds(0.5) == 2**32).all()  # capped at 1


def test_noise_alias_table_encodes_count_power_exactly():
    counts = np.array([1000, 300, 50, 7, 1, 1])
    table = Vocab(list("abcdef"), counts).noise_table()
    accept, alias = (table & 0xFFFFFFFF) / 2**32, table >> 32
    share = (accept + np.bincount(alias, weights=1 - accept, minlength=6)) / len(table)
    expected = counts**0.75 / (counts**0.75).sum()
    np.testing.assert_allclose(share, expected, atol=1e-9)


def test_pruned_ids_are_reused_and_memory_stays_bounded(tmp_path, monkeypatch):
    """A stream of ever-new words under --max-vocab-size: the provisional ids are reused,
    so their number stays bounded (they grew with every new word and overflowed int32),
    and a reused id's earlier tokens are never encoded as its new word."""
    monkeypatch.setattr(vocab_mod, "FLUSH_TOKENS", 4)
    rng = np.random.default_rng(0)
    sentences = []
    for i in range(3000):
        sentences.append(["king", "queen"])
        sentences.append([f"new{i}", f"w{rng.integers(0, 40)}", f"w{rng.integers(0, 40)}"])
    raw = _raw(tmp_path, sentences, max_vocab_size=30)
    assert raw.pruned > 3000
    assert len(raw.counts) <= 30 + 3 * 4 + 4  # live words, one flush of new ones, slack
    vocab = build_vocab(raw, min_count=1)
    ids, _ = encode(raw, vocab, tmp_path)
    # every token encoded as a word was counted for that word, and the other way round
    np.testing.assert_array_equal(np.bincount(ids, minlength=len(vocab)), vocab.counts)
    assert vocab.counts[vocab.index["king"]] == 3000


def test_resumed_vocabulary_is_renumbered_into_count_order(tmp_path):
    base = Vocab(["the", "cat", "zebra"], np.array([10, 6, 5]))
    raw = _raw(tmp_path, [["zebra"] * 4 + ["cat", "dog", "dog"]])
    vocab = build_vocab(raw, min_count=2, base=base)
    assert vocab.words == ["the", "zebra", "cat", "dog"]  # zebra passed cat; dog is new
    assert vocab.counts.tolist() == [10, 9, 7, 2]


def test_compacted_vocabulary_has_the_same_words_ids_and_counts():
    vocab = Vocab(["the", "ünïcode", "a"], np.array([9, 5, 2]))
    words, counts = list(vocab.words), vocab.counts.copy()
    fresh = vocab.compacted()
    assert fresh.words == words and fresh.index == {w: i for i, w in enumerate(words)}
    np.testing.assert_array_equal(fresh.counts, counts)
    assert vocab.words == []  # the old strings are released


def test_read_ids_reads_a_memmap_slice_into_memory(tmp_path):
    np.arange(10, dtype=np.int32).tofile(tmp_path / "ids.i32")
    ids = np.memmap(tmp_path / "ids.i32", dtype=np.int32, mode="r")
    part = read_ids(ids, 3, 7)
    assert part.tolist() == [3, 4, 5, 6] and not isinstance(part, np.memmap)
    assert read_ids(np.arange(5, dtype=np.int64), 1, 3).dtype == np.int32


def _stream(raw):
    """The counted text back as words per sentence ('?' for a pruned word's tokens)."""
    words = {pid: w for w, pid in raw.index.items()}
    pids = np.fromfile(raw.ids_path, dtype=np.int32)
    ends = np.fromfile(raw.ends_path, dtype=np.int64)
    pruned = raw.freed_at[pids] > np.arange(len(pids)) if raw.pruned else np.zeros(len(pids))
    tokens = ["?" if gone else words[p] for p, gone in zip(pids.tolist(), pruned.tolist())]
    return [tokens[a:b] for a, b in zip([0, *ends[:-1].tolist()], ends.tolist())]


def _messy_text(seed=0):
    """Words from a small alphabet with every whitespace str.split knows, CRLF, blank
    lines, invalid UTF-8, a line of 25,000 words and one longer than a read chunk."""
    from wordvec.corpus import CHUNK_BYTES

    rng = np.random.default_rng(seed)
    spaces = [" ", "\t", "\x0b", "\x0c", "\r", "\x1c", "\x1f", "\x85", "\xa0", "\u1680",
              "\u2000", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000"]
    lookalikes = ["\u200b", "\u180e", "\ufeff", "é", "ß", "日本"]  # not whitespace
    letters = list("abcde") + lookalikes
    lines = []
    for _ in range(3000):
        words = ["".join(rng.choice(letters, rng.integers(1, 4)))
                 for _ in range(rng.integers(0, 12))]
        lines.append("".join(w + rng.choice(spaces) for w in words))
    lines[100] = " ".join(["w"] * 25_000)
    lines[200] = "x " * (CHUNK_BYTES // 2 + 10)
    data = "\r\n".join(lines).encode("utf-8")
    return data[:5000] + b"\xff\xfe bad \xc3 utf8 " + data[5000:]


def test_byte_counting_matches_the_python_tokenizer(tmp_path):
    """The kernels' counting of whitespace-separated words gives the words, counts and
    sentences that str.split and count_and_spool give, on text with every Unicode
    space, invalid UTF-8, long lines and chunk boundaries inside lines."""
    from wordvec import corpus

    path = tmp_path / "messy.txt"
    path.write_bytes(_messy_text())
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    slow = count_and_spool(corpus.iter_sentences([path], "whitespace"), tmp_path / "a", 100)
    fast = vocab_mod.count_and_spool_bytes(corpus.iter_line_bytes([path]), tmp_path / "b",
                                           10**6)
    assert fast.n_tokens == slow.n_tokens > 60_000
    assert fast.n_sentences == slow.n_sentences
    assert {w: int(fast.counts[i]) for w, i in fast.index.items()} == \
        {w: int(slow.counts[i]) for w, i in slow.index.items()}
    assert _stream(fast) == _stream(slow)
    assert max(len(s) for s in _stream(fast)) == 10_000  # the long line was cut


def test_byte_counting_prunes_like_the_counter(tmp_path):
    """With more distinct words than the bound, the rarest are dropped as they come
    (the table never holds more than the bound after a chunk) and their earlier
    tokens are marked, so encoding drops them; words that stay are counted exactly."""
    rng = np.random.default_rng(1)
    common = [f"c{i}" for i in range(20)]
    chunks = []
    for c in range(30):
        words = [*rng.choice(common, 400), *[f"r{c}_{i}" for i in range(50)]]
        text = "\n".join(" ".join(words[i:i + 10]) for i in range(0, 450, 10)) + "\n"
        chunks.append((text.encode(), True))
    raw = vocab_mod.count_and_spool_bytes(iter(chunks), tmp_path, 60)
    assert raw.pruned > 0 and len(raw.index) <= 60
    expected = {w: sum(d.decode().split().count(w) for d, _ in chunks) for w in common}
    assert {w: int(raw.counts[raw.index[w]]) for w in common} == expected
    vocab = build_vocab(raw, min_count=1)
    ids, _ = encode(raw, vocab, tmp_path)
    kept = [vocab.words[i] for i in np.asarray(ids)]
    assert sorted(set(kept)) == sorted(vocab.words)
    assert len(kept) == int(vocab.counts.sum())


# Characters the default-words kernel reads itself (ASCII, Latin-1 letters, the quotes
# and dashes of English text, U+2019 as a joiner) and ones it leaves to Python.
_KNOWN = list("aZq09 -'_.,;\t\r!?") + ["\u2018", "\u2019", "\u201c", "\u201d", "\u2013",
                                      "\u2014", "\u2026", "é", "É", "ß", "ÿ", "Þ", "×", "÷"]
_OTHER = ["ª", "µ", "\xa0", "İ", "e\u0301", "ﬁ", "²", "Ǆ", "\u2000", "\ufffd", "א", "日"]


@given(st.lists(st.sampled_from(_KNOWN + _OTHER + ["\n"] * 3), max_size=60),
       st.booleans())
@settings(max_examples=400, deadline=None)
def test_default_words_kernel_splits_as_the_python_tokenizer(chars, lowercase):
    """The kernel's lines of words are the default tokenizer's, line for line, on text
    of the characters it knows, the ones it leaves to Python, and both in one line."""
    from wordvec.corpus import tokenize

    text = "".join(chars)
    expected = "\n".join(" ".join(tokenize(line, "default", lowercase))
                         for line in text.split("\n"))
    assert vocab_mod.default_words(text.encode(), lowercase).decode() == expected


def test_default_tokenizer_counts_with_the_kernels_as_in_python(tmp_path):
    """Counting with the default tokenizer through the kernels (``default_words``,
    then the whitespace counter) gives the Python pass's words, counts and sentences,
    on messy text with letters the kernel leaves to Python and a NFKC-folded word."""
    from wordvec import corpus

    path = tmp_path / "messy.txt"
    path.write_bytes(_messy_text() + "\nThe Café’s “well-known” ﬁsh – Ｋing\n".encode())
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    slow = count_and_spool(corpus.iter_sentences([path]), tmp_path / "a", 10**6)
    chunks = ((vocab_mod.default_words(data), ends)
              for data, ends in corpus.iter_line_bytes([path]))
    fast = vocab_mod.count_and_spool_bytes(chunks, tmp_path / "b", 10**6)
    assert fast.n_tokens == slow.n_tokens > 60_000
    assert fast.n_sentences == slow.n_sentences
    assert {w: int(fast.counts[i]) for w, i in fast.index.items()} == \
        {w: int(slow.counts[i]) for w, i in slow.index.items()}
    assert _stream(fast) == _stream(slow)
    assert ["the", "café’s", "well-known", "fish", "king"] in _stream(fast)
