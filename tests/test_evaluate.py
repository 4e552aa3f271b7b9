"""wordvec.evaluate and the query functions, checked against gensim on the same vectors."""

import numpy as np
import pytest

from wordvec import Embeddings, evaluate

gensim_models = pytest.importorskip("gensim.models")


@pytest.fixture
def model():
    rng = np.random.default_rng(11)
    words = [f"w{i}" for i in range(300)] + ["Paris", "paris", "France"]
    vectors = rng.normal(size=(len(words), 16)).astype(np.float32)
    return Embeddings(words, np.arange(len(words), 0, -1), vectors)


@pytest.fixture
def keyed(model):
    kv = gensim_models.KeyedVectors(model.dim)
    kv.add_vectors(model.words, np.asarray(model.vectors))
    return kv


@pytest.fixture
def analogy_file(tmp_path):
    rng = np.random.default_rng(5)
    lines = []
    for section in ("capital-common", "gram1-adjective"):
        lines.append(f": {section}")
        for _ in range(150):
            a, b, c, d = rng.choice(320, 4, replace=False)  # some ids are OOV (>= 303)
            lines.append(" ".join(f"W{i}" if i < 300 else "zzz" for i in (a, b, c, d)))
    lines.append("w1 w2 france PARIS")  # case-insensitive: France, Paris (most frequent)
    path = tmp_path / "questions.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("restrict", [300_000, 200])
def test_analogy_accuracy_equals_gensim(model, keyed, analogy_file, restrict):
    ours = evaluate.analogy_accuracy(model.words, model.unit_vectors(),
                                     evaluate.read_analogies(analogy_file)[0], restrict)
    score, sections = keyed.evaluate_word_analogies(str(analogy_file), restrict_vocab=restrict,
                                                    case_insensitive=True)
    total = sections[-1]
    assert ours["correct"] == len(total["correct"])
    assert ours["total"] == len(total["correct"]) + len(total["incorrect"])
    assert ours["accuracy"] == pytest.approx(score, abs=1e-12)
    assert ours["total"] > 20 and ours["skipped"] > 0


def test_pair_correlation_equals_gensim(model, keyed, tmp_path):
    rng = np.random.default_rng(2)
    rows = ["# word1\tword2\tscore"]
    for _ in range(60):
        a, b = rng.choice(300, 2, replace=False)
        rows.append(f"w{a}\tw{b}\t{rng.integers(0, 10)}")  # integer scores: many ties
    rows.append("nothere\tw1\t5.0")
    path = tmp_path / "pairs.tsv"
    path.write_text("\n".join(rows) + "\n")
    found, _ = evaluate.read_pairs(path)
    ours = evaluate.pair_correlation(model.words, model.unit_vectors(), found)
    pearson, spearman, oov = keyed.evaluate_word_pairs(str(path))
    assert ours["spearman"] == pytest.approx(spearman.statistic, abs=1e-6)
    assert ours["pearson"] == pytest.approx(pearson.statistic, abs=1e-6)
    assert ours["oov_ratio"] * 100 == pytest.approx(oov)


def test_rank_averages_ties():
    assert evaluate.rank(np.array([10, 20, 20, 5])).tolist() == [2.0, 3.5, 3.5, 1.0]


def test_malformed_lines_are_skipped_and_named(tmp_path):
    bad = tmp_path / "q.txt"
    bad.write_text(": s\na b c d\na b c\n")
    questions, problems = evaluate.read_analogies(bad)
    assert questions == [("s", ["a", "b", "c", "d"])]
    assert problems == [f"{bad}:3: 3 words, expected 4; skipped"]
    pairs = tmp_path / "p.tsv"
    pairs.write_text("a\tb\t1\nx\ty\tnot-a-number\n")
    assert evaluate.read_pairs(pairs) == ([("a", "b", 1.0)], [f"{pairs}:2: not "
                                          "'word<TAB>word<TAB>score'; skipped"])


def test_empty_evaluation_files_are_errors(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("# only a comment\n")
    with pytest.raises(ValueError, match="no analogy questions"):
        evaluate.read_analogies(empty)
    with pytest.raises(ValueError, match="no word pairs"):
        evaluate.read_pairs(empty)


def test_queries_agree_with_gensim(model, keyed):
    ours = model.neighbors("w5", k=5)
    theirs = keyed.most_similar("w5", topn=5)
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-5)
    assert model.similarity("w1", "w2") == pytest.approx(keyed.similarity("w1", "w2"), abs=1e-6)
    add = model.analogy("w1", "w2", "w3", k=3)
    assert [w for w, _ in add] == [w for w, _ in keyed.most_similar(["w2", "w3"], ["w1"], topn=3)]
    mul = model.analogy("w1", "w2", "w3", k=3, method="mul")
    assert [w for w, _ in mul] == [w for w, _ in
                                   keyed.most_similar_cosmul(["w2", "w3"], ["w1"], topn=3)]
