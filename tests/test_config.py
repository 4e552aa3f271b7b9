"""TrainConfig: defaults, ranges and meanings in one place, and the CLI built from them."""

import dataclasses
import json

import pytest
from click.testing import CliRunner

from wordvec import TrainConfig
from wordvec.cli import main

FIELDS = dataclasses.fields(TrainConfig)


def test_every_setting_has_a_meaning_and_a_train_option():
    text = CliRunner().invoke(main, ["train", "--help"], terminal_width=200).output
    for spec in FIELDS:
        assert spec.metadata["help"].endswith(".")
        assert f"--{spec.name.replace('_', '-')}" in text
        first_words = spec.metadata["help"].split(".")[0][:25]
        assert first_words in text, spec.name


@pytest.mark.parametrize("name, bad, message", [
    ("dim", 0, "dim must be in \\[1, 10000\\]"), ("dim", 10_001, "in \\[1, 10000\\]"),
    ("window", 1001, "window must be in"), ("negative", 0, "negative must be in"),
    ("alpha", 0.0, "alpha must be above 0"), ("sample", 1.0, "sample must be in \\[0.0, 1.0\\)"),
    ("min_count", 0, "min_count must be at least 1"), ("seed", -1, "seed must be 0 or more"),
    ("threads", -2, "threads must be 0 or more"), ("tokenizer", "nltk", "one of"),
    ("dim", "x", "a number"), ("model", "gru", "one of"), ("cbow_update", "x", "one of"),
    ("phrases", 11, "phrases must be in \\[0, 10\\]"),
    ("phrase_min_count", 0, "phrase_min_count must be at least 1"),
    ("phrase_scoring", "pmi", "one of"),
])
def test_out_of_range_values_are_refused_by_config_and_cli(name, bad, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**{name: bad})
    if isinstance(bad, (int, float)) and not isinstance(bad, bool):
        flag = f"--{name.replace('_', '-')}"
        result = CliRunner().invoke(main, ["train", "-", flag, str(bad)])
        assert result.exit_code == 2 and "Invalid value" in result.output


def test_npmi_threshold_must_be_in_its_range_and_defaults_follow_the_scoring():
    assert TrainConfig().phrase_threshold == 100.0
    assert TrainConfig(phrase_scoring="npmi").phrase_threshold == 0.5
    with pytest.raises(ValueError, match="`phrase_threshold` must be in \\[-1, 1\\]"):
        TrainConfig(phrase_scoring="npmi", phrase_threshold=3.0)


def test_shared_negatives_default_to_on_only_for_windowed_skipgram_word_vectors():
    """The default is resolved and stored; an old model's explicit False stays False."""
    assert TrainConfig().shared_negatives is True
    for other in ({"model": "cbow"}, {"subwords": True}, {"window": 0}):
        assert TrainConfig(**other).shared_negatives is False
    assert TrainConfig(shared_negatives=False).shared_negatives is False
    assert TrainConfig.from_dict({"shared_negatives": False}).shared_negatives is False
    with pytest.raises(ValueError, match="is for skip-gram"):
        TrainConfig(model="cbow", shared_negatives=True)


def test_shared_negatives_flag_pair_reaches_the_config(tmp_path):
    """--no-shared-negatives (word2vec.c's update) is one flag away and is saved."""
    text = tmp_path / "t.txt"
    text.write_text("a b c d e f\n" * 50)
    for flags, expected in (([], True), (["--no-shared-negatives"], False)):
        out = tmp_path / f"m{expected}"
        result = CliRunner().invoke(main, ["train", str(text), "-o", str(out), "-q",
                                           "--min-count", "1", "--epochs", "1", *flags])
        assert result.exit_code == 0, result.output
        meta = json.loads((out / "meta.json").read_text())
        assert meta["config"]["shared_negatives"] is expected


def test_min_alpha_cannot_exceed_alpha_and_saved_configs_round_trip():
    with pytest.raises(ValueError, match="min_alpha must be in \\[0, alpha\\]"):
        TrainConfig(alpha=0.01, min_alpha=0.02)
    config = TrainConfig(dim=7, tokenizer="whitespace", shared_negatives=True)
    assert TrainConfig.from_dict({**config.to_dict(), "from_a_newer_version": 1}) == config
