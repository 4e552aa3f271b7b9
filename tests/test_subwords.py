"""Character n-grams and their hash buckets, as fastText (and gensim's reader) compute them."""

import numpy as np
import pytest

from wordvec.subwords import (
    char_ngrams,
    fasttext_hash,
    ngram_buckets,
    subword_rows,
    sum_rows,
    vocab_buckets,
)

WORDS = ["walking", "naïve", "日本語", "🙂ok", "a", "über-cool", "Ω"]
SPANS = [(3, 6), (1, 6), (2, 3), (5, 5)]


def test_ngrams_by_hand():
    """``<ab>``: the 3- and 4-grams; with minn 1 the lone markers are left out."""
    assert char_ngrams("ab", 3, 6) == [b"<ab", b"<ab>", b"ab>"]
    assert char_ngrams("ab", 1, 2) == [b"<a", b"a", b"ab", b"b", b"b>"]
    assert char_ngrams("é", 1, 6) == [b"<\xc3\xa9", b"<\xc3\xa9>", b"\xc3\xa9", b"\xc3\xa9>"]
    assert char_ngrams("日本", 3, 3) == ["<日本".encode(), "日本>".encode()]  # characters


def test_hash_sign_extends_bytes_as_fasttext_does():
    """Fixed values checked against gensim's ft_hash_bytes / ft_ngram_hashes (4.4)."""
    assert fasttext_hash(b"<wa") == 930724319
    assert ngram_buckets("naïve", 3, 4, 2_000_000) == [
        1806890, 1907692, 1590546, 1719404, 356832, 1223007, 1711570, 1788548, 1088654]
    assert ngram_buckets("日本", 3, 6, 2_000_000) == [758587, 1313759, 196157]
    assert ngram_buckets("🙂", 3, 6, 1000) == [421]

    def textbook(data):  # FNV-1a without the sign extension
        h = 2166136261
        for byte in data:
            h = ((h ^ byte) * 16777619) & 0xFFFFFFFF
        return h

    assert fasttext_hash(b"<wa") == textbook(b"<wa")  # ASCII: the same
    assert fasttext_hash("é".encode()) != textbook("é".encode())  # bytes >= 0x80 differ


@pytest.mark.parametrize("word", WORDS)
def test_ngrams_and_buckets_match_gensim(word):
    fasttext = pytest.importorskip("gensim.models.fasttext")
    for minn, maxn in SPANS:
        assert char_ngrams(word, minn, maxn) == fasttext.compute_ngrams_bytes(word, minn, maxn)
        assert ngram_buckets(word, minn, maxn, 2_000_000) == list(
            fasttext.ft_ngram_hashes(word, minn, maxn, 2_000_000))


def test_subword_rows_are_the_word_then_its_buckets():
    offsets, rows, used = subword_rows(["ab", "c"], 3, 6, 10)
    assert offsets.tolist() == [0, 4, 6]
    assert rows[0] == 0 and rows[4] == 1  # each word's own row first
    both = ngram_buckets("ab", 3, 6, 10) + ngram_buckets("c", 3, 6, 10)
    assert used.tolist() == sorted(set(both))
    assert used[rows[1:4] - 2].tolist() == sorted(ngram_buckets("ab", 3, 6, 10))
    assert used[rows[5:] - 2].tolist() == sorted(ngram_buckets("c", 3, 6, 10))
    assert rows.dtype == np.int32 and offsets.dtype == np.int64


@pytest.mark.parametrize("span", SPANS + [(1, 1), (6, 3)])
def test_vocab_buckets_equal_one_word_at_a_time(span):
    """The vectorised hashing of a whole vocabulary gives ``ngram_buckets`` of each word,
    for every kind of character, words with no n-gram included (and minn > maxn)."""
    words = WORDS + ["x", "ab", "ééé", "日本語日本語日本語", "🙂🙂", "q" * 30]
    offsets, found = vocab_buckets(words, *span, 2_000_000)
    for i, word in enumerate(words):
        assert found[offsets[i]:offsets[i + 1]].tolist() == ngram_buckets(word, *span, 2_000_000)


def test_vocabulary_eos_has_no_ngrams_as_in_fasttext():
    offsets, found = vocab_buckets(["ab", "</s>", "c"], 3, 6, 100)
    assert np.diff(offsets).tolist() == [3, 0, 1]
    assert found.tolist() == ngram_buckets("ab", 3, 6, 100) + ngram_buckets("c", 3, 6, 100)


@pytest.mark.parametrize("batch", [1, 3, 1 << 18])
def test_sum_rows_in_batches_equals_the_direct_sum(batch):
    rng = np.random.default_rng(0)
    matrix = rng.random((10, 4), dtype=np.float32)
    lists = [[1, 2, 2], [], [0], [9, 8, 7, 6, 5], []]
    offsets = np.cumsum([0] + [len(x) for x in lists])
    rows = np.array(sum(lists, []), dtype=np.int64)
    expected = np.array([matrix[x].sum(axis=0) if x else np.zeros(4) for x in lists])
    np.testing.assert_allclose(sum_rows(matrix, offsets, rows, batch), expected, rtol=1e-6)
