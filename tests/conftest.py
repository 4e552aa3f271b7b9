import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # for `import reference`

SAMPLE = ROOT / "sample_corpus" / "world.txt"
PAIRS = ROOT / "sample_corpus" / "pairs.tsv"


@pytest.fixture
def small_corpus(tmp_path):
    """A few hundred lines of the sample corpus: trains in well under a second."""
    path = tmp_path / "small.txt"
    with open(SAMPLE, encoding="utf-8") as f:
        path.write_text("".join(next(f) for _ in range(3000)), encoding="utf-8")
    return path
