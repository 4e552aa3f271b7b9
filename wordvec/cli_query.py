"""The query commands: neighbors, similarity, analogy, info, evaluate, plot.

Plain click commands; ``cli.py`` adds them to the ``wordvec`` group. They load a
model and print, and never import Numba, so they start fast.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from .embeddings import Embeddings

DEFAULT_MODEL = Path("wordvec-model")
MODEL_OPTION = click.option("-m", "--model", type=click.Path(path_type=Path),
                            default=DEFAULT_MODEL, show_default=True,
                            help="Model directory written by 'wordvec train'.")


def _remember_json(ctx: click.Context, param, value: bool) -> bool:
    """Note --json on the root context, so that an error is reported as JSON too."""
    if value and ctx.find_root().obj is not None:
        ctx.find_root().obj["json"] = True
    return value


def _note_spellings(emb: Embeddings, words) -> None:
    """Say on stderr when a word is found under the model's own spelling (``King`` as
    ``king`` in a lowercased model) or composed from its n-grams (a subword model);
    unknown words raise UnknownWordError here."""
    for word in words:
        if emb.composed(word):
            click.echo(f"note: '{word}' is not in the vocabulary; its vector is composed "
                       f"from its character n-grams (from subwords)", err=True)
            continue
        found = emb.spelling(word)
        if str(found) != word:  # an item id model finds '42' as the id 42
            click.echo(f"note: '{word}' looked up as '{found}', as the model's tokenizer "
                       f"writes it", err=True)


JSON_OPTION = click.option("--json", "as_json", is_flag=True, callback=_remember_json,
                           help="Machine-readable output; errors too, as {\"error\": ...}.")


def _ranked_json(found) -> list[dict]:
    return [{"word": w, "score": round(x, 6)} for w, x in found]


def _echo_ranked(found, as_json: bool) -> None:
    """Print (word, score) pairs aligned, or as JSON."""
    if as_json:
        click.echo(json.dumps(_ranked_json(found)))
        return
    width = max((len(str(w)) for w, _ in found), default=0)
    click.echo("\n".join(f"{w!s:<{width}}  {x:.4f}" for w, x in found))


@click.command()
@click.argument("words", nargs=-1, required=True)
@click.option("-k", type=click.IntRange(1), default=10, show_default=True,
              help="How many neighbours.")
@MODEL_OPTION
@JSON_OPTION
def neighbors(words, k, model, as_json) -> None:
    """Print the nearest words to each WORD by cosine similarity."""
    emb = Embeddings.load(model)
    _note_spellings(emb, words)
    results = {word: emb.neighbors(word, k) for word in words}
    if as_json:
        click.echo(json.dumps({w: _ranked_json(found) for w, found in results.items()}))
        return
    for word, found in results.items():
        if len(words) > 1:
            click.echo(f"{word}{' (from subwords)' if emb.composed(word) else ''}:")
        _echo_ranked(found, False)


@click.command()
@click.argument("a")
@click.argument("b")
@MODEL_OPTION
@JSON_OPTION
def similarity(a, b, model, as_json) -> None:
    """Print the cosine similarity of words A and B."""
    emb = Embeddings.load(model)
    _note_spellings(emb, (a, b))
    score = emb.similarity(a, b)
    click.echo(json.dumps({"a": a, "b": b, "similarity": score}) if as_json else f"{score:.4f}")


@click.command()
@click.argument("a")
@click.argument("b")
@click.argument("c")
@click.option("--method", type=click.Choice(["add", "mul"]), default="add", show_default=True,
              help="3CosAdd or 3CosMul (Levy & Goldberg 2014).")
@click.option("-k", type=click.IntRange(1), default=1, show_default=True,
              help="How many answers.")
@MODEL_OPTION
@JSON_OPTION
def analogy(a, b, c, method, k, model, as_json) -> None:
    """A is to B as C is to ?  (wordvec analogy man king woman -> queen)"""
    emb = Embeddings.load(model)
    _note_spellings(emb, (a, b, c))
    _echo_ranked(emb.analogy(a, b, c, k=k, method=method), as_json)


@click.command()
@MODEL_OPTION
@JSON_OPTION
def info(model, as_json) -> None:
    """Describe a model: size, corpus and training statistics, hyper-parameters."""
    emb = Embeddings.load(model)
    data = {"words": len(emb), "dim": emb.dim, "size_mb": round(_size(model) / 2**20, 1)}
    if emb.subwords is not None:
        data["ngram_rows"] = len(emb.subwords.ngrams)  # buckets any word uses (trained)
    if emb.phrases is not None:
        data["phrase_table"] = len(emb.phrases)  # phrases.tsv: joined before training
    data.update(**emb.stats, config=emb.config.to_dict())
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for key, value in data.items():
        if isinstance(value, dict):
            value = " ".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, list):
            value = " ".join(f"{x:.4f}" if isinstance(x, float) else str(x) for x in value)
        elif isinstance(value, float):
            value = f"{value:,.4g}"
        click.echo(f"{key:<22} {value}")


@click.command()
@click.option("--analogies", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Questions in the Google analogy format.")
@click.option("--pairs", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              multiple=True, help="Word-similarity file (WordSim-353 / SimLex-999 style).")
@click.option("--restrict", type=click.IntRange(1), default=30_000, show_default=True,
              help="Answer analogies among the N most frequent words.")
@click.option("--oov", type=click.Choice(["skip", "subwords"]), default="skip",
              show_default=True, help="Word pairs with a word outside the vocabulary: skip "
              "them, or compose its vector from its n-grams (subword models).")
@MODEL_OPTION
@JSON_OPTION
def evaluate(analogies, pairs, restrict, oov, model, as_json) -> None:
    """Score the vectors on analogy questions and word-similarity sets."""
    from . import evaluate as ev
    from .query import unit_rows

    if not analogies and not pairs:
        raise click.UsageError("give --analogies FILE and/or --pairs FILE")
    emb = Embeddings.load(model)
    if oov == "subwords" and emb.subwords is None:
        raise click.UsageError("--oov subwords needs a model with subwords (trained with "
                               "--subwords, or a fastText .bin)")
    unit, out = emb.unit_vectors(), {}

    def compose(word):
        found = emb.subwords.compose(word)
        return None if found is None else unit_rows(found)
    if analogies:
        questions, problems = ev.read_analogies(analogies)
        out["analogies"] = ev.analogy_accuracy(emb.words, unit, questions, restrict)
        out["analogies"]["malformed"] = _warn(problems)
    for path in pairs:
        found, problems = ev.read_pairs(path)
        result = out.setdefault("pairs", {})[str(path)] = ev.pair_correlation(
            emb.words, unit, found, compose=compose if oov == "subwords" else None)
        result["malformed"] = _warn(problems)
    click.echo(json.dumps(out, indent=2) if as_json else ev.format_report(out))


def _size(path: Path) -> int:
    """Bytes on disk of a model: the files of its folder, or the file itself."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.iterdir() if p.is_file())


def _warn(problems: list[str]) -> int:
    """Print skipped-line notes on stderr; return how many."""
    for problem in problems:
        click.echo(f"Warning: {problem}", err=True)
    return len(problems)


@click.command()
@click.argument("words", nargs=-1)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("plot.png"), show_default=True, help="PNG file to write.")
@click.option("--top", type=click.IntRange(2), help="Plot the N most frequent words instead.")
@MODEL_OPTION
def plot(words, output, top, model) -> None:
    """Draw WORDS (or the --top N most frequent) in 2-D by PCA, as a PNG."""
    from .plot import plot_words

    emb = Embeddings.load(model)
    chosen = list(words) or emb.words[:top or 0]
    click.echo(f"wrote {plot_words(emb, chosen, output)}")
