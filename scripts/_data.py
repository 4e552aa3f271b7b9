"""Where the scripts find their data (imported by them, not run).

The dev corpus lives beside the repository (``../shared/corpora/dev.txt.xz``) and
is never copied into it; the evaluation sets ship inside gensim's wheel (the bench
extra: ``pip install -e '.[bench]'``).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "corpora" / "dev.txt.xz"
SAMPLE = ROOT / "sample_corpus" / "world.txt"


def default_corpus() -> Path:
    """The dev corpus when it is there, else the shipped sample."""
    return DEV if DEV.exists() else SAMPLE


def eval_sets() -> dict[str, Path]:
    """Google analogies, WordSim-353 and SimLex-999 from gensim's test data."""
    import gensim

    data = Path(gensim.__file__).parent / "test" / "test_data"
    return {"analogy": data / "questions-words.txt", "ws353": data / "wordsim353.tsv",
            "simlex": data / "simlex999.txt"}
