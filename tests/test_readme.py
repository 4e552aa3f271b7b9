"""The README's two set-up lines are what CI runs and what users paste, and its
item2vec code runs as printed."""

import re

import pytest
from conftest import ROOT


def _code_lines():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", text)


def test_ci_runs_the_readme_test_line_verbatim():
    readme_test_line = _code_lines()[1]
    assert "pytest" in readme_test_line
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert readme_test_line in ci_lines


def test_readme_sample_line_trains_the_shipped_corpus():
    sample_line = _code_lines()[0]
    match = re.search(r"wordvec train (\S+)", sample_line)
    assert match and (ROOT / match.group(1)).is_file()
    assert sample_line.endswith("wordvec neighbors king")


def _item2vec_blocks():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Items, sessions and categories (item2vec)")[1].split("\n## ")[0]
    return re.findall(r"```python\n(.+?)\n```", section, flags=re.S)


def _run_sessions_block(tmp_path, monkeypatch):
    """The README's DataFrame walk, on the file the script writes by default."""
    import subprocess
    import sys

    monkeypatch.chdir(tmp_path)
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_sessions.py"), "-o",
                    "sessions.csv"], check=True, capture_output=True)
    namespace = {}
    exec(_item2vec_blocks()[0], namespace)  # noqa: S102 - our own README
    return namespace


def test_readme_item2vec_walk_runs(tmp_path, monkeypatch, capsys):
    pytest.importorskip("pandas")
    ns = _run_sessions_block(tmp_path, monkeypatch)
    emb, item, category = ns["emb"], ns["item"], ns["category"]
    assert isinstance(emb.neighbors(item, 1)[0][0], int)
    assert emb.words[ns["row"]] == item and (tmp_path / "items" / "meta.json").is_file()
    same = [category[i] == category[item] for i, _ in emb.neighbors(item, k=5)]
    assert sum(same) >= 3  # "mostly equal"
    assert capsys.readouterr().out.count("(") >= 5  # the neighbours were printed


def test_readme_item2vec_embedding_layer_runs(tmp_path, monkeypatch):
    """The PyTorch block (its own assert checks the row mapping); torch is not in the
    test extra (a GPU-sized wheel), so this runs where it is installed."""
    pytest.importorskip("pandas")
    pytest.importorskip("torch")
    ns = _run_sessions_block(tmp_path, monkeypatch)
    exec(_item2vec_blocks()[1], ns)  # noqa: S102


def test_readme_categorical_recipe_runs(capsys):
    pytest.importorskip("pandas")
    ns = {}
    exec(_item2vec_blocks()[2], ns)  # noqa: S102
    table, emb = ns["table"], ns["emb"]
    assert list(table.columns[:3]) == ["value", "count", "d0"] and len(table) == len(emb)
    assert emb.neighbors("city=oslo", k=1)[0][0] == "city=bergen"
    assert emb.neighbors("plan=pro", k=1)[0][0] == "plan=team"
    assert "city=bergen" in capsys.readouterr().out
