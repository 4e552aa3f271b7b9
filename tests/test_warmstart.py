"""--init, --freeze-init and --resume."""

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import SAMPLE

from wordvec import Embeddings, TrainConfig
from wordvec.cli import main
from wordvec.formats import export
from wordvec.trainer import Start, train


def _lines(tmp_path, name, start, stop):
    path = tmp_path / name
    with open(SAMPLE, encoding="utf-8") as f:
        lines = f.readlines()[start:stop]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_init_rows_start_from_pretrained_and_freeze_keeps_them(tmp_path):
    corpus = _lines(tmp_path, "a.txt", 0, 5000)
    pre = np.full((2, 100), 0.01, dtype=np.float32)
    pre[1] *= -1
    config = TrainConfig(threads=1, epochs=1, min_count=2)
    start = Start(init_words=["king", "notinvocab"], init_vectors=pre)
    emb = train(corpus, TrainConfig(threads=1, epochs=1, min_count=2, alpha=1e-9, min_alpha=0),
                verbose=False, start=start)
    np.testing.assert_allclose(emb.vector("king"), pre[0], atol=1e-6)  # step 0: untouched
    assert emb.stats["init_coverage"] == 1
    moved = train(corpus, config, verbose=False, start=start)
    assert not np.allclose(moved.vector("king"), pre[0])
    frozen = train(corpus, config, verbose=False,
                   start=Start(init_words=["king"], init_vectors=pre[:1], freeze=True))
    np.testing.assert_array_equal(frozen.vector("king"), pre[0])
    assert not np.array_equal(frozen.vector("queen"), moved.vector("queen"))


def test_init_dim_must_match(tmp_path):
    corpus = _lines(tmp_path, "a.txt", 0, 1000)
    with pytest.raises(ValueError, match="dim 7 but `dim` is 100; set `dim` to 7"):
        train(corpus, TrainConfig(min_count=1), verbose=False,
              start=Start(init_words=["king"], init_vectors=np.zeros((1, 7), np.float32)))


def test_resume_keeps_words_in_count_order_adds_words_and_continues(tmp_path):
    first = _lines(tmp_path, "a.txt", 0, 20_000)
    with open(first, "a", encoding="utf-8") as f:
        f.write("aardvark\n" * 10)  # only in the first text
    second = _lines(tmp_path, "b.txt", 20_000, 40_000)
    with open(second, "a", encoding="utf-8") as f:
        f.write("zebra zebras\n" * 10)  # new words for the second run
    config = TrainConfig(threads=1, epochs=2)
    old = train(first, config, verbose=False)
    new = train(second, config, verbose=False, start=Start(resume=old))
    assert set(old.words) < set(new.words) and "aardvark" in old.words
    assert new.counts[new.index["aardvark"]] == 10  # kept, though absent from the new text
    assert {"zebra", "zebras"} <= set(new.words) - set(old.words)
    # ids stay in count order (hot rows, --restrict and info rely on it)
    assert (np.diff(new.counts) <= 0).all() and new.words != old.words[:len(new)]
    rows = [new.index[w] for w in old.words]
    assert (new.counts[rows] >= old.counts).all() and (new.counts[rows] > old.counts).any()
    assert not np.allclose(new.vectors[rows], old.vectors)
    fresh = train(second, config, verbose=False)
    # The loss picks up near where the first run ended, not where a fresh run starts.
    assert new.stats["epoch_losses"][0] < fresh.stats["epoch_losses"][0]
    assert new.stats["epoch_losses"][0] < old.stats["epoch_losses"][0]


def test_cli_init_takes_the_file_dim_and_resume_writes_back(tmp_path):
    corpus = _lines(tmp_path, "a.txt", 0, 3000)
    vectors = Embeddings(["king", "queen"], [2, 1], np.ones((2, 12), np.float32))
    export(vectors, tmp_path / "pre.txt", "glove")
    runner = CliRunner()
    args = ["train", str(corpus), "--epochs", "1", "--min-count", "2", "-q"]
    result = runner.invoke(main, [*args, "--init", str(tmp_path / "pre.txt"),
                                  "-o", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert "2 words started from --init vectors" in result.output
    assert Embeddings.load(tmp_path / "m").dim == 12
    again = runner.invoke(main, [*args, "--resume", str(tmp_path / "m")])
    assert again.exit_code == 0, again.output
    assert "resumed" in again.output and Embeddings.load(tmp_path / "m").dim == 12
    bad = runner.invoke(main, [*args, "--freeze-init", "-o", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "--freeze-init needs --init" in bad.output


def test_resumed_rows_keep_their_vectors_after_renumbering(tmp_path):
    """With a learning rate of ~0 the resumed words' vectors come back unchanged, each
    under its own word, though the new text reorders the ids."""
    old = Embeddings(["a", "b", "c"], [50, 40, 30],
                     np.arange(9, dtype=np.float32).reshape(3, 3),
                     -np.arange(9, dtype=np.float32).reshape(3, 3), TrainConfig(dim=3))
    corpus = tmp_path / "t.txt"
    corpus.write_text("c c c b c c\n" * 20)
    new = train(corpus, TrainConfig(dim=3, threads=1, epochs=1, min_count=1, alpha=1e-12,
                                    min_alpha=0), verbose=False, start=Start(resume=old))
    assert new.words == ["c", "b", "a"] and new.counts.tolist() == [130, 60, 50]
    for word in "abc":
        np.testing.assert_allclose(new.vector(word), old.vector(word), atol=1e-6)
        np.testing.assert_allclose(new.context[new.index[word]],
                                   old.context[old.index[word]], atol=1e-6)


def test_resume_takes_the_models_tokenizer(tmp_path):
    corpus = tmp_path / "a.txt"
    corpus.write_text("The King. the king, The Queen. the queen.\n" * 50)
    runner = CliRunner()
    args = ["train", str(corpus), "--epochs", "1", "--min-count", "1", "-q"]
    made = runner.invoke(main, [*args, "--tokenizer", "whitespace", "-o", str(tmp_path / "m")])
    assert made.exit_code == 0, made.output
    words = set(Embeddings.load(tmp_path / "m").words)
    again = runner.invoke(main, [*args, "--resume", str(tmp_path / "m")])
    assert again.exit_code == 0, again.output
    resumed = Embeddings.load(tmp_path / "m")
    assert set(resumed.words) == words and resumed.config.tokenizer == "whitespace"
    for flag in (["--tokenizer", "default"], ["--no-lowercase"]):
        clash = runner.invoke(main, [*args, "--resume", str(tmp_path / "m"), *flag])
        assert clash.exit_code == 2 and "the model to resume was trained with" in clash.output
    with pytest.raises(ValueError, match="tokenizer='whitespace'"):
        train(corpus, TrainConfig(min_count=1), verbose=False, start=Start(resume=resumed))


def test_resume_on_text_without_a_known_word_is_a_clear_error(tmp_path):
    model = Embeddings(["a", "b"], [5, 4], np.ones((2, 4), np.float32), config=TrainConfig(dim=4))
    model.save(tmp_path / "m")
    corpus = tmp_path / "other.txt"
    corpus.write_text("x y z\n")
    result = CliRunner().invoke(main, ["train", str(corpus), "--resume", str(tmp_path / "m"),
                                       "-q"])
    assert result.exit_code == 2
    assert "none of the corpus's 3 tokens is in the resumed model's vocabulary" in result.output
    assert Embeddings.load(tmp_path / "m").words == ["a", "b"]


def test_public_api_resumes_and_starts_from_pretrained(tmp_path):
    import wordvec

    corpus = _lines(tmp_path, "a.txt", 0, 3000)
    config = TrainConfig(threads=1, epochs=1, min_count=2)
    first = wordvec.train(corpus, config)
    first.save(tmp_path / "m")
    again = wordvec.train(corpus, config, resume=tmp_path / "m")
    assert again.stats["resumed_words"] == len(first)
    pre = Embeddings(["king"], [1], np.full((1, 100), 0.25, np.float32))
    export(pre, tmp_path / "pre.txt", "glove")
    frozen = wordvec.train(corpus, config, init=tmp_path / "pre.txt", freeze_init=True)
    np.testing.assert_array_equal(frozen.vector("king"), 0.25)
    with pytest.raises(ValueError, match="freeze_init needs init"):
        wordvec.train(corpus, config, freeze_init=True)


def test_ctrl_c_in_the_library_raises_with_the_partial_model(tmp_path, monkeypatch):
    from wordvec import trainer

    corpus = _lines(tmp_path, "a.txt", 0, 3000)
    real, calls = trainer._kernels.train_chunk, []

    def interrupted(ids, *rest):
        if len(ids):
            calls.append(1)
            if len(calls) == 2:
                raise KeyboardInterrupt
        return real(ids, *rest)

    monkeypatch.setattr(trainer, "CHUNK_TOKENS", 5000)
    monkeypatch.setattr(trainer._kernels, "train_chunk", interrupted)
    with pytest.raises(trainer.TrainingInterrupted) as stop:
        train(corpus, TrainConfig(threads=1, epochs=2, min_count=2))
    partial = stop.value.partial
    assert partial.stats["complete"] is False and 0 < partial.stats["progress"] < 0.5
    assert isinstance(stop.value, KeyboardInterrupt) and len(partial) > 100
