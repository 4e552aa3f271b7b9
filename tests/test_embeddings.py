import json

import numpy as np
import pytest

from wordvec import Embeddings, TrainConfig
from wordvec.embeddings import ModelError, UnknownWordError


@pytest.fixture
def emb():
    rng = np.random.default_rng(0)
    words = ["the", "king", "queen", "man", "woman"]
    vectors = rng.normal(size=(5, 4)).astype(np.float32)
    vectors[2] = vectors[1] * 2 + 0.01  # queen points the same way as king
    return Embeddings(words, [50, 9, 8, 7, 6], vectors, rng.normal(size=(5, 4)).astype(np.float32),
                      TrainConfig(dim=4), {"raw_tokens": 80, "epoch_losses": [2.5, 2.1]})


def test_save_load_round_trip(emb, tmp_path):
    emb.save(tmp_path / "m")
    back = Embeddings.load(tmp_path / "m")
    assert back.words == emb.words
    assert back.counts.tolist() == emb.counts.tolist()
    np.testing.assert_array_equal(back.vectors, emb.vectors)
    np.testing.assert_array_equal(back.context, emb.context)
    assert back.config == emb.config and back.stats == emb.stats
    assert isinstance(back.vectors, np.memmap)  # opened without reading it all


def test_save_refuses_to_clobber(emb, tmp_path):
    emb.save(tmp_path / "m")
    with pytest.raises(FileExistsError, match="set `overwrite` to replace it"):
        emb.save(tmp_path / "m")
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileExistsError, match="is a file"):
        emb.save(tmp_path / "file")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match=r"files a wordvec model does not write \(notes"):
        emb.save(tmp_path / "docs", overwrite=True)
    assert (tmp_path / "docs" / "notes.txt").read_text() == "mine"
    (tmp_path / "empty").mkdir()
    emb.save(tmp_path / "empty")  # an empty folder holds nothing to lose
    assert Embeddings.load(tmp_path / "empty").words == emb.words


def test_overwrite_replaces_whole_model_and_leaves_no_temp(emb, tmp_path):
    emb.save(tmp_path / "m")
    smaller = Embeddings(emb.words[:2], emb.counts[:2], emb.vectors[:2] + 1)
    smaller.save(tmp_path / "m", overwrite=True)
    back = Embeddings.load(tmp_path / "m")
    assert back.words == ["the", "king"] and back.context is None
    np.testing.assert_array_equal(back.vectors, emb.vectors[:2] + 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


@pytest.mark.parametrize("damage, message", [
    (lambda d: (d / "meta.json").unlink(), "meta.json is missing"),
    (lambda d: (d / "meta.json").write_text("{not json"), "corrupt"),
    (lambda d: (d / "vectors.npy").write_bytes((d / "vectors.npy").read_bytes()[:100]),
     "truncated or corrupt"),
    (lambda d: (d / "vocab.txt").write_text("the\t50\nking\t9\n"), "do not belong together"),
    (lambda d: np.save(d / "vectors.npy", np.array([{"a": 1}] * 5, dtype=object)),
     "truncated or corrupt"),
    (lambda d: _set_meta(d, format_version=99), "newer than this wordvec"),
    (lambda d: (d / "vocab.txt").write_text("no tab here\n"), "line 1"),
])
def test_corrupt_models_give_clear_errors(emb, tmp_path, damage, message):
    emb.save(tmp_path / "m")
    damage(tmp_path / "m")
    with pytest.raises(ModelError, match=message):
        Embeddings.load(tmp_path / "m")


def _set_meta(folder, **changes):
    meta = json.loads((folder / "meta.json").read_text())
    meta.update(changes)
    (folder / "meta.json").write_text(json.dumps(meta))


def test_neighbors_and_unknown_word(emb):
    found = emb.neighbors("king", 2)
    assert found[0][0] == "queen" and found[0][1] == pytest.approx(1.0, abs=1e-3)
    assert "king" not in [w for w, _ in emb.neighbors("king", 10)]
    assert len(emb.neighbors("king", 10)) == 4
    with pytest.raises(UnknownWordError, match="'kingg' is not in the vocabulary"):
        emb.neighbors("kingg")



def test_float64_vectors_are_stored_as_float32(tmp_path):
    vectors = np.random.default_rng(1).normal(size=(3, 4))  # float64, as NumPy makes them
    Embeddings(["a", "b", "c"], [3, 2, 1], vectors, vectors * 2).save(tmp_path / "m")
    back = Embeddings.load(tmp_path / "m")
    assert back.vectors.dtype == np.float32 and back.context.dtype == np.float32
    np.testing.assert_allclose(back.vectors, vectors, rtol=1e-6)
