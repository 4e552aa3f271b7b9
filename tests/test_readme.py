"""The README's two set-up lines are what CI runs and what users paste."""

import re

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
