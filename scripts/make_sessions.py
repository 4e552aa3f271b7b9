"""Generate a shopping-sessions data set with planted structure, for item2vec.

Items belong to latent categories and have Zipf-like popularity within them; a
session mostly stays in one category, but a few best-sellers turn up in sessions
of every category and some clicks wander to other categories. A good item
embedding puts an item's nearest neighbours in its own category, and must not
let the best-sellers (similar to everything by co-occurrence) crowd them out.

    python scripts/make_sessions.py -o sessions.csv             # 100k sessions, 1 s
    python scripts/make_sessions.py --sessions 1000000 -o s.npz # 10M events, 3 s

``.csv`` writes ``session,item,category`` rows (one per event, sessions in order);
``.npz`` writes the same three columns as int64 arrays. Item ids are 6-digit
numbers, not row numbers. Same seed, same data.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

SHARE_OWN, SHARE_POPULAR = 0.4, 0.4  # of a session's events; the rest wander


def make_sessions(n_sessions: int, n_items: int = 50_000, n_categories: int = 200,
                  n_popular: int = 50, mean_length: float = 10.0, seed: int = 0):
    """(session, item, category) int64 arrays, one entry per event.

    Each session draws a category (uniformly) and a length (2 + Poisson(mean - 2));
    each event is, with probability ``SHARE_OWN``, an item of the session's
    category drawn by popularity (weight 1 / rank^0.8 within the category); with
    ``SHARE_POPULAR`` one of the ``n_popular`` best-sellers; else an item of any
    category, uniformly.
    """
    rng = np.random.default_rng(seed)
    ids = rng.choice(900_000, n_items, replace=False) + 100_000
    category = rng.permutation(np.arange(n_items) % n_categories)
    order = np.argsort(category, kind="stable")  # items grouped by category
    rank = np.arange(n_items) - np.searchsorted(category[order], category[order])
    weight = 1.0 / (rank + 1.0) ** 0.8
    cdf = np.empty(n_items)  # category c's items cover [c, c + 1)
    for c in range(n_categories):
        part = slice(*np.searchsorted(category[order], [c, c + 1]))
        cdf[part] = c + np.cumsum(weight[part]) / weight[part].sum()
    popular = order[np.argsort(-weight, kind="stable")[:n_popular]]

    lengths = 2 + rng.poisson(mean_length - 2, n_sessions)
    session = np.repeat(np.arange(n_sessions), lengths)
    own = rng.integers(0, n_categories, n_sessions)[session]
    kind = rng.random(len(session))
    picked = order[np.minimum(np.searchsorted(cdf, own + rng.random(len(session))),
                              n_items - 1)]
    picked = np.where(kind < SHARE_OWN, picked,
                      np.where(kind < SHARE_OWN + SHARE_POPULAR,
                               popular[rng.integers(0, n_popular, len(session))],
                               rng.integers(0, n_items, len(session))))
    return session.astype(np.int64), ids[picked].astype(np.int64), \
        category[picked].astype(np.int64)


def write(path: Path, session, item, category) -> None:
    if path.suffix == ".npz":
        np.savez(path, session=session, item=item, category=category)
        return
    rows = np.stack([session, item, category], axis=1).astype(str)
    with open(path, "w") as f:
        f.write("session,item,category\n")
        for start in range(0, len(rows), 1 << 16):
            f.write("".join(f"{s},{i},{c}\n" for s, i, c in rows[start:start + (1 << 16)]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-o", "--output", type=Path, required=True,
                        help="a .csv or .npz file")
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--categories", type=int, default=200)
    parser.add_argument("--popular", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    columns = make_sessions(args.sessions, args.items, args.categories, args.popular,
                            seed=args.seed)
    write(args.output, *columns)
    print(f"{args.output}: {args.sessions:,} sessions, {len(columns[0]):,} events, "
          f"{len(np.unique(columns[1])):,} items")


if __name__ == "__main__":
    main()
