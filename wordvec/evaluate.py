"""Standard evaluations: analogy accuracy (3CosAdd) and word-pair similarity.

Both follow what gensim's ``evaluate_word_analogies(restrict_vocab=N,
case_insensitive=True)`` and ``evaluate_word_pairs`` compute, so numbers are
comparable: words are matched case-insensitively (the most frequent spelling
wins), questions with a word outside the ``restrict`` most frequent words are
skipped, the three question words are never answers, and similarity is cosine.
Analogy questions are answered in batches of matrix products.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .query import add_scores

BATCH = 512


def _lookup(words: list[str], limit: int) -> dict[str, int]:
    """Lowercased word -> row among the first ``limit`` words; the lowest row wins."""
    table: dict[str, int] = {}
    for i in range(min(limit, len(words)) - 1, -1, -1):
        table[words[i].lower()] = i
    return table


def read_analogies(path: str | Path) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """Read the Google analogy format: ``: section`` headers, then four words a line.

    Returns (questions, problems): malformed lines are skipped and described in
    ``problems`` with their line numbers. Words are lowercased.
    """
    questions, problems, section = [], [], ""
    for number, line in _lines(path):
        if line.startswith(":"):
            section = line[1:].strip()
            continue
        parts = line.lower().split()
        if len(parts) == 4:
            questions.append((section, parts))
        else:
            problems.append(f"{path}:{number}: {len(parts)} words, expected 4; skipped")
    if not questions:
        raise ValueError(f"{path}: no analogy questions found; expected lines of 4 words")
    return questions, problems


def _lines(path: str | Path):
    """(line number, stripped line) for the non-empty, non-comment lines of a text file."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ValueError(f"{path}: cannot read ({exc.strerror})") from None
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("#"):
            yield number, line


def analogy_accuracy(words: list[str], unit: np.ndarray, questions, restrict: int = 30_000):
    """Accuracy of 3CosAdd on ``questions`` (from ``read_analogies``).

    ``unit``: float32 array (n_words, dim) of unit-length rows, in frequency order.
    Returns a dict with correct, total (answered), skipped and per-section results.
    """
    lookup = _lookup(words, restrict)
    vocab = np.asarray(unit[: min(restrict, len(words))], dtype=np.float32)
    known = [(s, [lookup[w] for w in q]) for s, q in questions if all(w in lookup for w in q)]
    correct = np.zeros(len(known), dtype=bool)
    for start in range(0, len(known), BATCH):
        rows = np.array([q for _, q in known[start:start + BATCH]], dtype=np.int64)
        scores = add_scores(vocab, vocab[rows[:, 0]], vocab[rows[:, 1]], vocab[rows[:, 2]])
        np.put_along_axis(scores, rows[:, :3], -np.inf, axis=1)
        correct[start:start + BATCH] = scores.argmax(axis=1) == rows[:, 3]
    sections: dict[str, list[int]] = {}
    for (section, _), ok in zip(known, correct):
        sections.setdefault(section, [0, 0])
        sections[section][0] += int(ok)
        sections[section][1] += 1
    return {"correct": int(correct.sum()), "total": len(known),
            "skipped": len(questions) - len(known),
            "accuracy": float(correct.mean()) if len(known) else 0.0,
            "sections": {s: {"correct": c, "total": t} for s, (c, t) in sections.items()}}


def read_pairs(path: str | Path) -> tuple[list[tuple[str, str, float]], list[str]]:
    """Read word-similarity pairs: two words and a score, tab- or comma-separated.

    Returns (pairs, problems) as ``read_analogies`` does.
    """
    pairs, problems = [], []
    for number, line in _lines(path):
        parts = [p.strip() for p in (line.split("\t") if "\t" in line else line.split(","))]
        try:
            pairs.append((parts[0].lower(), parts[1].lower(), float(parts[2])))
        except (IndexError, ValueError):
            problems.append(f"{path}:{number}: not 'word<TAB>word<TAB>score'; skipped")
    if not pairs:
        raise ValueError(f"{path}: no word pairs found; expected 'word<TAB>word<TAB>score'")
    return pairs, problems


def rank(values: np.ndarray) -> np.ndarray:
    """Ranks from 1, ties sharing their average rank (as Spearman's rho needs)."""
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    _, groups, counts = np.unique(values, return_inverse=True, return_counts=True)
    sums = np.bincount(groups, weights=ranks)
    return sums[groups] / counts[groups]


def pair_correlation(words: list[str], unit: np.ndarray, pairs, restrict: int = 300_000,
                     compose=None):
    """Spearman and Pearson correlation of cosine similarity with human scores.

    Pairs with a word outside the vocabulary are skipped, unless ``compose`` (a
    function from a word to a unit vector, or None when it has none; a subword
    model's ``--oov subwords``) gives that word a vector; ``composed`` counts them.
    """
    lookup = _lookup(words, restrict)
    vectors, composed = [], 0
    for a, b, score in pairs:
        x, y = (unit[lookup[w]] if w in lookup else compose(w) if compose else None
                for w in (a, b))
        if x is not None and y is not None:
            vectors.append((x, y, score))
            composed += a not in lookup or b not in lookup
    if len(vectors) < 2:  # no correlation is defined: None (JSON null), not NaN
        return {"spearman": None, "pearson": None, "pairs": len(vectors),
                "oov_ratio": 1.0 if pairs else 0.0, "composed": composed}
    a, b, human = (np.array(col) for col in zip(*vectors))
    cosine = np.einsum("ij,ij->i", np.asarray(a, np.float64), np.asarray(b, np.float64))
    return {"spearman": float(np.corrcoef(rank(cosine), rank(human))[0, 1]),
            "pearson": float(np.corrcoef(cosine, human)[0, 1]), "pairs": len(vectors),
            "oov_ratio": 1 - len(vectors) / len(pairs), "composed": composed}


def _score(value) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def format_report(results: dict) -> str:
    """Terminal table for ``wordvec evaluate`` results: ``{"analogies": {...},
    "pairs": {path: {...}}}``, either part optional."""
    lines = []
    analogy = results.get("analogies")
    if analogy:
        lines.append(f"{'analogy section':<32} {'correct':>8} {'total':>7} {'accuracy':>9}")
        for name, sec in analogy["sections"].items():
            lines.append(f"{name:<32} {sec['correct']:>8} {sec['total']:>7} "
                         f"{sec['correct'] / max(sec['total'], 1):>9.4f}")
        lines.append(f"{'total':<32} {analogy['correct']:>8} {analogy['total']:>7} "
                     f"{analogy['accuracy']:>9.4f}   ({analogy['skipped']} skipped: OOV, "
                     f"{analogy.get('malformed', 0)} malformed lines)")
    for name, r in results.get("pairs", {}).items():
        lines.append(f"{name}: Spearman {_score(r['spearman'])}  Pearson "
                     f"{_score(r['pearson'])}  pairs {r['pairs']}  OOV {r['oov_ratio']:.1%}  "
                     + (f"composed from subwords {r['composed']}  " if r.get("composed") else "")
                     + f"malformed lines {r.get('malformed', 0)}")
    return "\n".join(lines)


def label_hit_rate(words: list, unit: np.ndarray, labels: dict, queries=None,
                   k: int = 10) -> float:
    """The share of the ``k`` nearest neighbours of each query word that carry its label.

    For item embeddings, "hit rate at k": labels are the items' categories, and a
    neighbour from the query's own category is a hit. ``labels``: word -> label
    (words without one are neither queries nor hits); ``queries``: the words to
    ask about (default: every labelled word of the vocabulary). Returns the mean
    over the queries of hits / k.
    """
    codes: dict = {}
    row_label = np.array([codes.setdefault(labels[w], len(codes)) if w in labels else -1
                          for w in words], dtype=np.int64)
    has_label = row_label >= 0
    index = {w: i for i, w in enumerate(words)}
    asked = [index[w] for w in (labels if queries is None else queries)
             if w in index and w in labels]
    hits = 0
    for start in range(0, len(asked), BATCH):
        rows = np.array(asked[start:start + BATCH])
        scores = unit[rows] @ unit.T
        scores[np.arange(len(rows)), rows] = -np.inf
        best = np.argpartition(-scores, k, axis=1)[:, :k]
        hits += int(((row_label[best] == row_label[rows, None]) & has_label[best]).sum())
    return hits / (k * len(asked)) if asked else float("nan")
