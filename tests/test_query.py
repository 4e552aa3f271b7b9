"""query.py on arrays, and word lookup with the model's own normalisation."""

import numpy as np
import pytest
from click.testing import CliRunner

from wordvec import Embeddings, TrainConfig
from wordvec.cli import main
from wordvec.query import add_scores, analogy, mul_scores, nearest, top_k, unit_rows


def test_top_k_orders_and_excludes():
    assert top_k(np.array([0.1, 0.9, 0.5, 0.7]), 2) == [1, 3]
    assert top_k(np.array([0.1, 0.9, 0.5, 0.7]), 2, exclude=(1,)) == [3, 2]
    assert top_k(np.array([0.1, 0.9]), 5, exclude=(0, 1)) == []


def test_nearest_by_hand():
    unit = unit_rows(np.array([[1, 0], [0, 1], [1, 1], [-1, 0]], np.float32))
    found = nearest(unit, np.array([2.0, 0.1]), 2)
    assert [i for i, _ in found] == [0, 2] and found[0][1] == pytest.approx(0.99875, abs=1e-4)
    assert [i for i, _ in nearest(unit, unit[0], 2, exclude=(0,), restrict=3)] == [2, 1]


def test_add_scores_batch_equals_one_at_a_time():
    rng = np.random.default_rng(0)
    unit = unit_rows(rng.normal(size=(50, 8)))
    rows = rng.integers(0, 50, (7, 3))
    batch = add_scores(unit, unit[rows[:, 0]], unit[rows[:, 1]], unit[rows[:, 2]])
    for q, (a, b, c) in enumerate(rows):
        np.testing.assert_allclose(batch[q], add_scores(unit, unit[a], unit[b], unit[c]),
                                   rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(batch[q], unit @ unit[b] - unit @ unit[a] + unit @ unit[c],
                                   rtol=1e-5, atol=1e-6)


def test_analogy_finds_the_planted_answer_with_both_methods():
    """king - man + woman = queen in four dimensions, by hand."""
    vectors = np.array([[1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 1, 0],
                        [0, 0, 0, 1]], np.float32)  # king, man, woman, queen, other
    unit = unit_rows(vectors)
    for method in ("add", "mul"):
        assert analogy(unit, unit[[1, 0, 2]], k=1, method=method, exclude=(1, 0, 2))[0][0] == 3
    ca, cb, cc = ((unit @ unit[r] + 1) / 2 for r in (1, 0, 2))
    np.testing.assert_allclose(mul_scores(unit, unit[1], unit[0], unit[2]), cb * cc / (ca + 1e-3))
    with pytest.raises(ValueError, match="method must be one of"):
        analogy(unit, unit[[1, 0, 2]], method="pairdirection")


def _model(tmp_path, **config):
    words = ["king", "queen", "café"]
    emb = Embeddings(words, [3, 2, 1], np.eye(3, 4, dtype=np.float32),
                     config=TrainConfig(dim=4, **config))
    emb.save(tmp_path / "m")
    return emb


def test_queries_use_the_models_normalisation(tmp_path):
    emb = _model(tmp_path)
    assert emb.id_of("King") == emb.id_of("KING") == 0
    assert emb.spelling("Ｑｕｅｅｎ") == "queen"  # fullwidth letters, NFKC
    assert emb.spelling("Cafe\u0301") == "café"  # a combining accent, NFKC composes it
    result = CliRunner().invoke(main, ["neighbors", "King", "-k", "1", "-m",
                                       str(tmp_path / "m")])
    assert result.exit_code == 0
    assert "note: 'King' looked up as 'king'" in result.output


def test_models_that_kept_case_or_split_on_whitespace_match_exactly(tmp_path):
    for config in ({"lowercase": False}, {"tokenizer": "whitespace"}):
        emb = Embeddings(["king", "King"], [2, 1], np.eye(2, 4, dtype=np.float32),
                         config=TrainConfig(dim=4, **config))
        assert (emb.id_of("king"), emb.id_of("King")) == (0, 1)
        with pytest.raises(KeyError, match="'KING' is not in the vocabulary"):
            emb.id_of("KING")
