import json
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from wordvec import Embeddings, __version__
from wordvec.cli import main


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "wordvec", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_train_neighbors_export_end_to_end(small_corpus, tmp_path):
    """The README's used-by lines, verbatim, in a fresh working directory."""
    trained = run("train", small_corpus, "--min-count", "2", "--epochs", "2", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert "saved to wordvec-model" in trained.stdout
    # stderr is a pipe here, not a terminal: plain lines, no progress bars
    assert "\r" not in trained.stderr and "epoch 2/2: loss " in trained.stderr
    shown = run("neighbors", "king", "-k", "3", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert len(lines) == 3 and all(-1 <= float(line.split()[1]) <= 1 for line in lines)
    exported = run("export", "-f", "glove", "-o", "vectors.txt", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    emb = Embeddings.load(tmp_path / "wordvec-model")
    rows = (tmp_path / "vectors.txt").read_text().splitlines()
    assert len(rows) == len(emb) and rows[0].split()[0] == emb.words[0]
    np.testing.assert_allclose([float(x) for x in rows[0].split()[1:]], emb.vectors[0],
                               rtol=1e-5, atol=1e-7)


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


@pytest.mark.parametrize("option", ["--dim 0", "--window -1", "--negative -1", "--alpha 0",
                                    "--sample -1", "--epochs 0", "--threads -1", "--seed -1",
                                    "--min-count 0"])
def test_bad_hyperparameters_are_rejected_before_work(option, small_corpus, tmp_path):
    result = CliRunner().invoke(main, ["train", str(small_corpus), "-o", str(tmp_path / "m"),
                                       *option.split()])
    assert result.exit_code == 2
    assert "Invalid value" in result.output
    assert not (tmp_path / "m").exists()


def test_errors_are_one_line_without_traceback(small_corpus, tmp_path):
    missing = run("neighbors", "king", "-m", tmp_path / "none")
    assert missing.returncode == 2
    assert missing.stderr.strip().count("\n") == 0 and "wordvec train" in missing.stderr
    assert "Traceback" not in missing.stderr
    for name, text in (("empty.txt", ""), ("blank.txt", "  \n\n"), ("punct.txt", "... !? --\n")):
        (tmp_path / name).write_text(text)
        result = run("train", tmp_path / name, "-o", tmp_path / "m")
        assert result.returncode == 2 and "holds no words" in result.stderr
    rare = run("train", small_corpus, "--min-count", "100000", "-o", tmp_path / "m", "-q")
    assert rare.returncode == 2 and "try a smaller --min-count" in rare.stderr
    assert not (tmp_path / "m").exists()


def test_divergence_exits_1_and_saves_nothing(small_corpus, tmp_path):
    result = run("train", small_corpus, "--alpha", "50", "--min-count", "2", "--epochs", "1",
                 "-q", "-o", tmp_path / "m")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: training diverged (NaN or infinite values) at ")
    assert result.stderr.endswith("% of training; lower --alpha\n")
    assert not (tmp_path / "m").exists()


def test_unknown_word_exits_1(small_corpus, tmp_path):
    run("train", small_corpus, "--min-count", "2", "--epochs", "1", "-q", "-o", tmp_path / "m")
    result = run("neighbors", "notaword", "-m", tmp_path / "m")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: 'notaword' is not in the vocabulary")
    assert result.stderr.count("\n") == 1


def test_existing_model_needs_force(small_corpus, tmp_path):
    args = ["train", small_corpus, "--min-count", "2", "--epochs", "1", "-q", "-o", tmp_path / "m"]
    assert run(*args).returncode == 0
    again = run(*args)
    assert again.returncode == 2 and "--force" in again.stderr
    assert run(*args, "--force").returncode == 0


def test_missing_corpus_is_one_line(tmp_path):
    result = run("train", tmp_path / "nope.txt", "-o", tmp_path / "m")
    assert result.returncode == 2
    expected = f"Error: {tmp_path / 'nope.txt'}: no such file; check the corpus path"
    assert result.stderr.strip() == expected


def test_invalid_utf8_is_counted_in_the_summary(small_corpus, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(small_corpus.read_bytes() + b"caf\xe9 \xff\xfe ok\n")
    result = run("train", bad, "--min-count", "2", "--epochs", "1", "-q", "-o", tmp_path / "m")
    assert result.returncode == 0, result.stderr
    assert "3 invalid UTF-8 sequences replaced" in result.stdout  # \xe9, \xff, \xfe


def test_plot_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    rng = np.random.default_rng(0)
    Embeddings([f"w{i}" for i in range(30)], np.arange(30, 0, -1),
               rng.normal(size=(30, 8)).astype(np.float32)).save(tmp_path / "m")
    out = tmp_path / "p.png"
    result = CliRunner().invoke(main, ["plot", "w1", "w2", "w3", "-o", str(out),
                                       "-m", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 5000
    top = CliRunner().invoke(main, ["plot", "--top", "20", "-o", str(out), "-m",
                                    str(tmp_path / "m")])
    assert top.exit_code == 0, top.output


def test_query_commands_on_a_small_model(small_corpus, tmp_path):
    run("train", small_corpus, "--min-count", "2", "--epochs", "2", "-q", "-o", tmp_path / "m")
    m = ["-m", str(tmp_path / "m")]
    runner = CliRunner()
    sim = runner.invoke(main, ["similarity", "king", "queen", *m])
    assert sim.exit_code == 0 and -1 <= float(sim.output) <= 1
    ana = runner.invoke(main, ["analogy", "man", "king", "woman", "-k", "3", "--json", *m])
    answers = json.loads(ana.output)
    assert ana.exit_code == 0 and len(answers) == 3
    assert not {"man", "king", "woman"} & {a["word"] for a in answers}
    assert runner.invoke(main, ["analogy", "man", "king", *m]).exit_code == 2
    info = runner.invoke(main, ["info", "--json", *m])
    assert json.loads(info.output)["words"] == 360
    nb = runner.invoke(main, ["neighbors", "king", "queen", "-k", "2", "--json", *m])
    assert set(json.loads(nb.output)) == {"king", "queen"}


def _tiny_model(tmp_path):
    rng = np.random.default_rng(0)
    words = ["king", "queen", "man", "woman", "paris"]
    Embeddings(words, [5, 4, 3, 2, 1], rng.normal(size=(5, 4))).save(tmp_path / "m")
    return ["-m", str(tmp_path / "m")]


def test_evaluate_json_keys_results_by_kind_and_has_no_nan(tmp_path):
    m = _tiny_model(tmp_path)
    named_like_a_kind = tmp_path / "analogies"  # a pairs file called "analogies" crashed
    named_like_a_kind.write_text("king\tqueen\t9\nman\twoman\t8\nking\tman\t3\n")
    unknown = tmp_path / "unknown.tsv"  # under two known pairs: no correlation exists
    unknown.write_text("foo\tbar\t1\nbaz\tqux\t2\n")
    questions = tmp_path / "q.txt"
    questions.write_text(": s\nking queen man woman\n")
    result = CliRunner().invoke(main, ["evaluate", "--analogies", str(questions), "--pairs",
                                       str(named_like_a_kind), "--pairs", str(unknown),
                                       "--json", *m])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)  # strict JSON: NaN would not parse back as null
    assert set(out) == {"analogies", "pairs"} and out["analogies"]["total"] == 1
    assert set(out["pairs"]) == {str(named_like_a_kind), str(unknown)}
    assert out["pairs"][str(unknown)]["spearman"] is None
    assert "NaN" not in result.output
    text = CliRunner().invoke(main, ["evaluate", "--pairs", str(unknown), *m])
    assert text.exit_code == 0 and "Spearman n/a" in text.output


def test_errors_with_json_are_json_on_stdout_too(tmp_path):
    m = _tiny_model(tmp_path)
    result = run("neighbors", "kingg", "--json", *m)
    assert result.returncode == 1 and result.stderr.startswith("Error: 'kingg'")
    error = json.loads(result.stdout)
    assert error["exit_code"] == 1 and error["error"].startswith("'kingg' is not in the")
    missing = run("info", "--json", "-m", tmp_path / "none")
    assert missing.returncode == 2 and json.loads(missing.stdout)["exit_code"] == 2
