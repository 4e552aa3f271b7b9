"""Phrases: the kernels against a plain reference, gensim's Phrases, the CLI and the
model store."""

import json

import numpy as np
import pytest
import reference
from click.testing import CliRunner

from wordvec import TrainConfig, phrases, trainer
from wordvec.cli import main
from wordvec.embeddings import Embeddings

PLANTED = [("new", "york"), ("san", "francisco"), ("bank", "of", "america"),
           ("new", "york", "times")]


def _corpus(seed=0, n_sentences=3000, vocab=400):
    """Zipf-distributed filler words (w0, w1, ...; some connectors among them) with the
    planted phrases inserted, so both real collocations and chance pairs occur."""
    rng = np.random.default_rng(seed)
    filler = [f"w{i}" for i in range(vocab)] + ["of", "the", "and", "in"]
    weights = 1.0 / np.arange(1, len(filler) + 1)
    weights /= weights.sum()
    sentences = []
    for _ in range(n_sentences):
        words = list(rng.choice(filler, size=rng.integers(3, 25), p=weights))
        for _ in range(rng.integers(0, 3)):
            phrase = PLANTED[rng.integers(len(PLANTED))]
            at = rng.integers(0, len(words) + 1)
            words[at:at] = list(phrase)
        sentences.append(words)
    return sentences


def _write(sentences, path):
    path.write_text("".join(" ".join(s) + "\n" for s in sentences), encoding="utf-8")
    return path


def _run(sentences, tmp_path, **options):
    """``wordvec phrases`` through the library: (phrase table, joined sentences)."""
    corpus = _write(sentences, tmp_path / "in.txt")
    out = tmp_path / "out.txt"
    config = TrainConfig(tokenizer="whitespace", **{"phrases": 1, **options})
    table, _ = trainer.write_phrased([corpus], out, config)
    return table, [line.split() for line in out.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("scoring, threshold, connectors",
                         [("word2vec", 10.0, ""), ("word2vec", 5.0, "en"),
                          ("npmi", 0.3, ""), ("npmi", 0.1, "en")])
def test_one_pass_matches_the_plain_reference(tmp_path, scoring, threshold, connectors):
    sentences = _corpus()
    table, joined = _run(sentences, tmp_path, phrase_scoring=scoring,
                         phrase_threshold=threshold, connectors=connectors)
    found, expected = reference.phrase_pass(sentences, 5, threshold, scoring,
                                            set(phrases.connector_words(connectors)))
    assert set(table.phrases) == set(found)
    assert len(found) >= 3  # the planted pairs at least
    for name, score, count in zip(table.phrases, table.scores, table.counts):
        assert score == pytest.approx(found[name][0], rel=1e-9)
        assert count == found[name][1]
    assert joined == [s for s in expected if s]


def test_candidates_sorted_in_halves_count_as_sorted_at_once(tmp_path, monkeypatch):
    """Each chunk's keys sorted as two runs (two threads) and merged into the table
    count every key as one sort would; end to end, the same phrases and text."""
    from wordvec import _phrase_kernels

    rng = np.random.default_rng(1)
    keys, counts = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    seen = []
    for size in (0, 1, 7, 500, 3000):
        found = rng.integers(0, 300, size).astype(np.int64) << 20
        seen.append(found.copy())
        cut = int(rng.integers(0, size + 1))
        found[:cut].sort()
        found[cut:].sort()
        keys, counts = _phrase_kernels.merge_counts(keys, counts, found, cut)
    expected, times = np.unique(np.concatenate(seen), return_counts=True)
    np.testing.assert_array_equal(keys, expected)
    np.testing.assert_array_equal(counts, times)

    monkeypatch.setattr(phrases, "SPLIT_SORT", 1)
    sentences = _corpus()
    table, joined = _run(sentences, tmp_path, threads=2, phrase_threshold=10.0,
                         connectors="en")
    found, expected = reference.phrase_pass(sentences, 5, 10.0, "word2vec",
                                            set(phrases.connector_words("en")))
    assert set(table.phrases) == set(found) and joined == [s for s in expected if s]


def test_passes_build_longer_phrases_and_connectors_stay_inside(tmp_path):
    table, joined = _run(_corpus(), tmp_path, phrases=2, connectors="en", phrase_threshold=10.0)
    assert {"new_york", "san_francisco", "bank_of_america", "new_york_times"} <= \
        set(table.phrases)
    words = {w for s in joined for w in s}
    assert "new_york_times" in words and "bank_of_america" in words
    assert not any(w.startswith(("of_", "the_")) or w.endswith(("_of", "_the")) for w in words)


def word2phrase(worda_count, wordb_count, bigram_count, len_vocab, min_count,
                corpus_word_count):
    """word2phrase's score in gensim's scorer signature (module level: gensim pickles it)."""
    return (bigram_count - min_count) / worda_count / wordb_count * corpus_word_count


def test_same_phrases_as_gensim(tmp_path):
    """gensim 4's Phrases, given word2phrase's score as a custom scorer, finds the
    same phrases and joins the text the same way."""
    from gensim.models.phrases import Phrases

    sentences = _corpus(seed=3)
    connectors = frozenset(phrases.connector_words("en"))
    model = Phrases(sentences, min_count=5, threshold=30.0, scoring=word2phrase,
                    connector_words=connectors).freeze()
    table, joined = _run(sentences, tmp_path, phrase_threshold=30.0, connectors="en")
    assert set(table.phrases) == set(model.phrasegrams)
    assert joined == [model[s] for s in sentences]


def test_scores_by_hand():
    # a, b seen 10 and 20 times, together 8 times, in 1000 tokens, discount 5
    assert phrases.score([10], [20], [8], 1000, 5, "word2vec")[0] == pytest.approx(15.0)
    npmi = np.log(8 * 1000 / (10 * 20)) / -np.log(8 / 1000)
    assert phrases.score([10], [20], [8], 1000, 5, "npmi")[0] == pytest.approx(npmi)
    assert phrases.score([10], [10], [10], 10, 5, "npmi")[0] == 1.0  # the whole text


def test_candidate_table_stays_bounded_and_says_so(tmp_path):
    """A table bound far below the number of distinct pairs prunes the rarest, as the
    vocabulary counter does, and still finds the frequent planted phrases."""
    sentences = _corpus(n_sentences=6000)
    table, _ = _run(sentences, tmp_path, max_vocab_size=2000, phrase_threshold=10.0)
    assert table.pruned > 0
    assert {"new_york", "san_francisco"} <= set(table.phrases)


def test_cli_phrases_writes_text_and_table(tmp_path):
    corpus = _write(_corpus(), tmp_path / "in.txt")
    out, tsv = tmp_path / "out.txt", tmp_path / "phrases.tsv"
    result = CliRunner().invoke(main, ["phrases", str(corpus), "-o", str(out), "--table",
                                       str(tsv), "--passes", "2", "--connectors", "en",
                                       "--phrase-threshold", "10"])
    assert result.exit_code == 0, result.output
    assert "phrases joined" in result.output
    assert "new_york_times" in out.read_text(encoding="utf-8").split()
    rows = [line.split("\t") for line in tsv.read_text(encoding="utf-8").splitlines()]
    assert "bank_of_america" in {r[0] for r in rows} and all(len(r) == 3 for r in rows)


def test_cli_phrases_never_writes_over_its_input(tmp_path):
    corpus = _write(_corpus(n_sentences=200), tmp_path / "in.txt")
    before = corpus.read_bytes()
    for args in ([str(corpus), "-o", str(corpus)], [str(corpus), "--table", str(corpus)],
                 [str(tmp_path), "-o", str(corpus)]):
        result = CliRunner().invoke(main, ["phrases", *args])
        assert result.exit_code == 2
        assert "also an input" in result.output and "Traceback" not in result.output
    assert corpus.read_bytes() == before
    result = CliRunner().invoke(main, ["phrases", str(corpus), "-o", str(tmp_path / "a"),
                                       "--table", str(tmp_path / "a")])
    assert result.exit_code == 2 and "same file" in result.output
    model = tmp_path / "model"
    assert CliRunner().invoke(main, ["train", str(corpus), "-o", str(model), "-q",
                                     "--epochs", "1", "--min-count", "1"]).exit_code == 0
    result = CliRunner().invoke(main, ["phrases", str(corpus), "-o", str(model / "p.txt")])
    assert result.exit_code == 2 and "inside the model folder" in result.output
    assert not (model / "p.txt").exists()


def test_bad_connectors_file_is_a_one_line_error(tmp_path):
    corpus = _write(_corpus(n_sentences=200), tmp_path / "in.txt")
    result = CliRunner().invoke(main, ["phrases", str(corpus), "--connectors",
                                       str(tmp_path / "missing.txt")])
    assert result.exit_code == 2
    assert "neither 'en' nor a readable word list" in result.output


def test_train_with_phrases_saves_and_answers_them(tmp_path):
    corpus = _write(_corpus(), tmp_path / "in.txt")
    model = tmp_path / "model"
    runner = CliRunner()
    result = runner.invoke(main, ["train", str(corpus), "-o", str(model), "--phrases", "2",
                                  "--connectors", "en", "--phrase-threshold", "10",
                                  "--epochs", "1", "-q", "--min-count", "3"])
    assert result.exit_code == 0, result.output
    emb = Embeddings.load(model)
    assert {"new_york", "new_york_times", "bank_of_america"} <= set(emb.words)
    assert "new_york_times" in emb.phrases.phrases
    assert emb.stats["raw_tokens"] == sum(len(s) for s in _corpus())  # before joining
    assert emb.stats["phrases"] == len(emb.phrases) and emb.stats["phrase_joins"] > 0
    info = json.loads(runner.invoke(main, ["info", "-m", str(model), "--json"]).output)
    assert info["phrase_table"] == len(emb.phrases)
    np.testing.assert_array_equal(emb.vector("new york"), emb.vector("new_york"))
    result = runner.invoke(main, ["neighbors", "new york", "-m", str(model), "-k", "3"])
    assert result.exit_code == 0, result.output


def test_resume_keeps_the_phrase_settings_and_table(tmp_path):
    corpus = _write(_corpus(), tmp_path / "in.txt")
    model, runner = tmp_path / "model", CliRunner()
    common = ["--epochs", "1", "-q", "--min-count", "3"]
    result = runner.invoke(main, ["train", str(corpus), "-o", str(model), "--phrases", "1",
                                  "--phrase-threshold", "10", *common])
    assert result.exit_code == 0, result.output
    first = Embeddings.load(model)
    more = _write(_corpus(seed=5, n_sentences=1000), tmp_path / "more.txt")
    result = runner.invoke(main, ["train", str(more), "--resume", str(model), *common])
    assert result.exit_code == 0, result.output
    resumed = Embeddings.load(model)
    assert resumed.config.phrases == 1 and resumed.config.phrase_threshold == 10
    assert set(first.phrases.phrases) <= set(resumed.phrases.phrases)
    result = runner.invoke(main, ["train", str(more), "--resume", str(model), "--phrases",
                                  "2", *common])
    assert result.exit_code == 2 and "trained with --phrases 1" in result.output
