"""Command-line interface: train, query (neighbors, similarity, analogy, info), evaluate, export.

Thin by design: each command builds its inputs, calls the library, and prints.
Errors from the library become one line on stderr with a non-zero exit code:
2 for bad usage or input, 1 for a failed run, 130 for an interrupt (Ctrl-C), 143 for
SIGTERM and 129 for SIGHUP, which stop a run the same way. ``--debug``
shows the traceback instead. Numba is imported only by ``train``, so queries
start fast.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import signal
import sys
from pathlib import Path

import click
import numpy as np

from . import __version__, files
from .cli_query import (
    DEFAULT_MODEL,
    MODEL_OPTION,
    analogy,
    evaluate,
    info,
    neighbors,
    plot,
    similarity,
)
from .config import TrainConfig
from .embeddings import Embeddings, UnknownWordError
from .formats import FORMATS
from .stats import TrainStats

DEFAULTS = TrainConfig()

# The signal that stopped the run: SIGINT (Ctrl-C) unless a handler below saw another.
_STOP = {"signal": signal.SIGINT}
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def _stop(signum, frame) -> None:
    """SIGTERM and SIGHUP stop a run as Ctrl-C does: cleanup runs, then exit 128 + signum."""
    _STOP["signal"] = signum
    raise KeyboardInterrupt


@contextlib.contextmanager
def _stop_signals_interrupt():
    old = {s: signal.signal(s, _stop) for s in STOP_SIGNALS}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


def _stop_name() -> str:
    return "Interrupted" if _STOP["signal"] == signal.SIGINT else \
        f"Stopped by {signal.Signals(_STOP['signal']).name}"


class _Group(click.Group):
    """Turns expected errors into one-line messages and documented exit codes."""

    def invoke(self, ctx: click.Context):
        _STOP["signal"] = signal.SIGINT
        try:
            with _stop_signals_interrupt():
                return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo(f"{_stop_name()}.", err=True)
            sys.exit(128 + _STOP["signal"])
        except Exception as exc:  # noqa: BLE001 - the contract is: no traceback
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"Error: {_describe(exc)}", err=True)
            if ctx.obj and ctx.obj.get("json"):
                click.echo(json.dumps({"error": _describe(exc), "exit_code": _exit_code(exc)}))
            sys.exit(_exit_code(exc))


def _exit_code(exc: Exception) -> int:
    """2 for bad usage or input, 1 for a run that failed (or a word not found)."""
    if isinstance(exc, UnknownWordError):
        return 1
    return 2 if isinstance(exc, (ValueError, OSError, KeyError)) else 1


# The library names settings as `python_name`; the CLI user knows them as flags.
FLAGS = {"`alpha`": "--alpha", "`min_count`": "--min-count", "`dim`": "--dim",
         "`max_vocab_size`": "--max-vocab-size", "`phrase_min_count`": "--phrase-min-count",
         "`connectors`": "--connectors", "`phrase_threshold`": "--phrase-threshold",
         "`init`": "--init", "`binary_ok`": "--binary-ok", "`overwrite`": "--force",
         "`path`": "-o/--output", "`model`": "-m/--model",
         "`shared_negatives`": "--shared-negatives", "`subwords`": "--subwords"}


def _describe(exc: Exception) -> str:
    """The one-line message for ``exc``, with settings named as this CLI's flags."""
    if isinstance(exc, OSError) and exc.strerror and exc.filename is None:
        text = exc.strerror  # ours carry the whole message; "[Errno 28] " adds nothing
    elif isinstance(exc, (ValueError, OSError, KeyError, ArithmeticError)):
        text = str(exc)
    else:
        return f"internal error ({type(exc).__name__}: {exc}); rerun with --debug and report it"
    for name, flag in FLAGS.items():
        text = text.replace(name, flag)
    return text


def config_options(names=None):
    """Decorator adding one click option per TrainConfig field (or per field in
    ``names``), with the field's default, range and meaning (config.py is the one
    place they are written)."""
    def decorate(command):
        for spec in reversed(dataclasses.fields(TrainConfig)):
            if names is None or spec.name in names:
                command = _config_option(spec)(command)
        return command
    return decorate


def _config_option(spec: dataclasses.Field):
    flag, meta, default = "--" + spec.name.replace("_", "-"), spec.metadata, spec.default
    if isinstance(default, bool) or str(spec.type) == "bool | None":
        if default is None:  # resolved from the other settings (config.py)
            return click.option(f"{flag}/--no-{flag[2:]}", spec.name, default=None,
                                help=meta["help"])
        if default:
            return click.option(f"{flag}/--no-{flag[2:]}", spec.name, default=True,
                                show_default=True, help=meta["help"])
        return click.option(flag, spec.name, is_flag=True, help=meta["help"])
    if meta["choices"] is not None:
        kind = click.Choice(meta["choices"])
    elif isinstance(default, str):
        kind = click.STRING
    elif meta["low"] is None and meta["high"] is None:
        kind = click.INT if _is_int(spec) else click.FLOAT
    else:
        ranged = click.IntRange if _is_int(spec) else click.FloatRange
        kind = ranged(meta["low"], meta["high"], min_open=meta["low_open"],
                      max_open=meta["high_open"])
    return click.option(flag, spec.name, type=kind, default=default,
                        show_default=default != "", help=meta["help"])


def _is_int(spec: dataclasses.Field) -> bool:
    """An int field, also when its default is None (resolved from other fields)."""
    return isinstance(spec.default, int) or str(spec.type).startswith("int")


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="wordvec")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """wordvec: fast skip-gram and CBOW word vectors from your own text."""
    ctx.obj = {"debug": debug}


@main.command()
@click.argument("corpus", nargs=-1, required=True,
                type=click.Path(allow_dash=True, path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=DEFAULT_MODEL,
              show_default=True, help="Model directory to write.")
@click.option("--force", is_flag=True, help="Replace an existing wordvec model at -o.")
@click.option("--binary-ok", is_flag=True, help="Read input that looks like a binary file.")
@config_options()
@click.option("--init", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Start words found in these pre-trained vectors (GloVe/word2vec) from them.")
@click.option("--freeze-init", is_flag=True, help="Keep the --init vectors fixed.")
@click.option("--resume", type=click.Path(path_type=Path),
              help="Continue training this model on CORPUS (writes back to it without -o).")
@click.option("-q", "--quiet", is_flag=True,
              help="No progress (bars on a terminal, else one line per epoch).")
@click.option("--distributed/--no-distributed", default=None,
              help="Train one model with the other MPI ranks (mpiexec -n N wordvec train "
                   "...); rank 0 writes it [default: when started by mpiexec or srun with "
                   "several ranks].")
@click.pass_context
def train(ctx, corpus, output, force, binary_ok, quiet, init, freeze_init, resume,
          distributed, **options) -> None:
    """Learn word vectors from CORPUS (files, folders, .gz/.bz2/.xz, or - for stdin)."""
    from .distributed import world

    start = _start(init, freeze_init, resume)
    _inherit_settings(ctx, options, start)
    overwrite = force
    if resume and ctx.get_parameter_source("output") == click.core.ParameterSource.DEFAULT:
        output, overwrite = resume, True  # continuing a model in place is what was asked
    files.check_model_output(output, overwrite=overwrite)
    bars = not quiet and sys.stderr.isatty()  # in a log file, bars are carriage-return noise
    log = None if quiet or bars else (lambda line: click.echo(line, err=True))
    ranks = world(distributed)
    args = (list(corpus), TrainConfig(**options), bars, binary_ok, start, log)
    emb = _train_ranked(ctx, args, ranks) if ranks else _train(args, False)
    if ranks and ranks.rank != 0:  # rank 0 saves and reports the model they all hold
        if not emb.stats["complete"]:
            sys.exit(128 + _STOP["signal"])
        return
    saved = _save_trained(emb, output, overwrite)
    if not emb.stats["complete"]:
        kept = f"; {output} is unchanged" if saved != output else ""
        click.echo(f"{_stop_name()} at {emb.stats['progress']:.0%} of training; the vectors "
                   f"so far are saved to {saved} (complete: false){kept}. Continue with: "
                   f"wordvec train CORPUS --resume {saved}", err=True)
        sys.exit(128 + _STOP["signal"])
    click.echo(_summary(emb.stats, len(emb), emb.dim, output))


def _train(args: tuple, distributed: bool) -> Embeddings:
    """``trainer.train`` on ``args``; the partial model when interrupted."""
    from .trainer import TrainingInterrupted
    from .trainer import train as run_training

    try:
        return run_training(*args, distributed=distributed)
    except TrainingInterrupted as stop:
        return stop.partial


def _train_ranked(ctx, args: tuple, ranks) -> Embeddings:
    """``_train`` as one of several MPI ranks: a rank that fails or is stopped outside
    the epochs (where the ranks stop together) ends them all, with its one line."""
    try:
        return _train(args, True)
    except KeyboardInterrupt:
        ranks.abort(f"{_stop_name()}", 128 + _STOP["signal"])
    except Exception as exc:  # noqa: BLE001 - the others would wait for this rank forever
        if ctx.obj and ctx.obj.get("debug"):
            import traceback

            traceback.print_exc()
        ranks.abort(_describe(exc), _exit_code(exc))


def _inherit_settings(ctx, options: dict, start) -> None:
    """--resume takes the model kind, dim, tokenizer, lowercasing, n-gram and phrase
    settings from the model, --init its dim (and a fastText .bin's n-gram settings for
    --subwords).

    An explicit option that differs from the resumed model's is a usage error: the
    model's words were made by its tokenizer, and new text must be cut the same way.
    """
    table = start.init_subwords
    if table is not None and options["subwords"]:  # n-gram rows only fit the same hashing
        for name, value in (("minn", table.minn), ("maxn", table.maxn),
                            ("buckets", table.buckets)):
            if ctx.get_parameter_source(name) == click.core.ParameterSource.DEFAULT:
                options[name] = value
    for name in ("model", "cbow_update", "dim", "tokenizer", "lowercase", "subwords", "minn",
                 "maxn", "buckets", "phrases", "phrase_threshold", "phrase_min_count",
                 "phrase_scoring", "connectors"):
        explicit = ctx.get_parameter_source(name) != click.core.ParameterSource.DEFAULT
        if start.resume is not None:
            value = start.resume.dim if name == "dim" else getattr(start.resume.config, name)
            if explicit and options[name] != value:
                flag = name.replace("_", "-")
                how = f"with --{flag} {value}" if not isinstance(value, bool) else \
                    f"with --{flag}" if value else \
                    f"with --no-{flag}" if name == "lowercase" else f"without --{flag}"
                raise click.UsageError(f"the model to resume was trained {how}; leave "
                                       f"the option out or give the same value")
            options[name] = value
        elif name == "dim" and not explicit and start.init_vectors is not None:
            options["dim"] = start.init_vectors.shape[1]


def _save_trained(emb: Embeddings, output: Path, overwrite: bool) -> Path:
    """Save to ``output``; an interrupted run goes beside an existing model, never over it."""
    if not emb.stats["complete"] and files.is_model_folder(output):
        output, overwrite = files.free_sibling(output, ".interrupted"), False
    return emb.save(output, overwrite=overwrite)


def _start(init: Path | None, freeze_init: bool, resume: Path | None):
    """Build the trainer's Start from the --init/--freeze-init/--resume options."""
    from .formats import read_pretrained
    from .trainer import Start

    if freeze_init and not init:
        raise click.UsageError("--freeze-init needs --init FILE")
    start = Start(resume=Embeddings.load(resume) if resume else None, freeze=freeze_init)
    if init:
        start.init_words, start.init_vectors, start.init_subwords = read_pretrained(init)
    return start


def _summary(saved: dict, n_words: int, dim: int, output: Path) -> str:
    s, notes = TrainStats.from_dict(saved), []
    if s.init_coverage is not None:
        notes.append(f"{s.init_coverage:,} words started from --init vectors")
    if s.resumed_words is not None:
        notes.append(f"resumed {s.resumed_words:,} words, added {s.new_words:,}")
    if s.invalid_utf8:
        notes.append(f"{s.invalid_utf8:,} invalid UTF-8 sequences replaced")
    if s.pruned_while_counting:
        notes.append(f"{s.pruned_while_counting:,} rare words pruned while counting "
                     f"(raise --max-vocab-size to keep them)")
    return (f"{n_words:,} words x {dim} dims from {s.raw_tokens:,} tokens; trained "
            f"{s.train_seconds:.1f} s at {s.words_per_second:,.0f} words/s on "
            f"{f'{s.ranks} ranks x ' if s.ranks else ''}{s.threads} threads; loss per epoch "
            f"{' '.join(f'{x:.3f}' for x in s.epoch_losses)}; "
            + "".join(f"{n}; " for n in notes) + f"saved to {output}")


# The TrainConfig options that ``wordvec phrases`` shares with ``train``.
PHRASE_FIELDS = ("phrase_threshold", "phrase_min_count", "phrase_scoring", "connectors",
                 "tokenizer", "lowercase", "max_vocab_size", "threads")


@main.command(name="phrases")
@click.argument("corpus", nargs=-1, required=True,
                type=click.Path(allow_dash=True, path_type=Path))
@click.option("-o", "--output", default="-", show_default=True,
              help="File for the joined text (a sentence a line, as tokenized), or - for "
                   "stdout.")
@click.option("--passes", type=click.IntRange(1, 10), default=1, show_default=True,
              help="Passes; each can join a phrase with a neighbour into a longer one.")
@click.option("--table", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the phrases found as phrase<TAB>score<TAB>count lines.")
@click.option("--binary-ok", is_flag=True, help="Read input that looks like a binary file.")
@config_options(PHRASE_FIELDS)
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")
def phrases_(corpus, output, passes, table, binary_ok, quiet, **options) -> None:
    """Join collocations in CORPUS (new york -> new_york), as word2vec.c's word2phrase."""
    from .trainer import write_phrased

    if table is not None and str(output) != "-" and Path(output).resolve() == table.resolve():
        raise click.UsageError("-o and --table name the same file; give two")
    for target in (output, table):
        _check_not_input(target, corpus)
        if target is not None:
            files.check_export_target(target, DEFAULT_MODEL)
    bars = not quiet and sys.stderr.isatty()
    log = None if quiet or bars else (lambda line: click.echo(line, err=True))
    found, stats = write_phrased(list(corpus), output, TrainConfig(phrases=passes, **options),
                                 bars, binary_ok, log)
    if table is not None:
        with files.open_output(table) as f:
            found.write(f)
    if not quiet:
        click.echo(f"{len(found):,} phrases joined {stats.phrase_joins:,} times in "
                   f"{stats.raw_tokens:,} tokens" + (f"; {stats.phrase_candidates_pruned:,} "
                   f"rare candidates pruned (raise --max-vocab-size to keep them)"
                   if stats.phrase_candidates_pruned else ""), err=True)


def _check_not_input(target, inputs) -> None:
    """Refuse to write over one of the files being read (or into a folder being read)."""
    if target is None or files.is_stream(target) or not Path(target).exists():
        return
    for source in inputs:
        if str(source) == "-" or not Path(source).exists():
            continue
        if Path(source).samefile(target) or (Path(source).is_dir()
                                             and files.inside(target, source)):
            raise click.UsageError(f"{target} is also an input; writing there would replace "
                                   f"the text being read; choose another file")


@main.command()
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="glove",
              show_default=True, help="npy writes a folder: vectors.npy + vocab.txt.")
@click.option("-o", "--output", default="-", show_default=True,
              help="File (folder for npy), or - for stdout.")
@click.option("--limit", type=click.IntRange(0), default=0, show_default=True,
              help="Only the N most frequent words (0: all).")
@click.option("--normalize", is_flag=True, help="Scale vectors to unit length.")
@click.option("--precision", type=click.IntRange(1, 9), default=6, show_default=True,
              help="Significant digits (text formats).")
@MODEL_OPTION
def export(fmt, output, limit, normalize, precision, model) -> None:
    """Write the vectors in an interchange format other tools read."""
    from .formats import export as write

    emb = Embeddings.load(model)
    files.check_export_target(output, model)
    write(emb, output, fmt, limit, normalize, precision)


for _command in (neighbors, similarity, analogy, info, evaluate, plot):
    main.add_command(_command)


@main.command(name="import")
@click.argument("vectors", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=DEFAULT_MODEL,
              show_default=True, help="Model directory to write.")
@click.option("--force", is_flag=True, help="Replace an existing model.")
@click.option("--prune-buckets", is_flag=True,
              help="fastText .bin: keep only the n-gram rows some vocabulary word uses.")
@click.option("--keep-ngrams-of", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="With --prune-buckets: also keep the rows of these words' n-grams (one "
                   "word a line), so they get fastText's vectors exactly.")
def import_(vectors, output, force, prune_buckets, keep_ngrams_of) -> None:
    """Make a model from GloVe, word2vec text, word2vec binary or fastText .bin VECTORS
    (detected); a .bin keeps its n-gram vectors, for words it has never seen."""
    from . import fasttext_bin
    from .formats import read_vectors

    files.check_model_output(output, overwrite=force)
    if keep_ngrams_of and not prune_buckets:
        raise click.UsageError("--keep-ngrams-of goes with --prune-buckets")
    if fasttext_bin.is_fasttext_bin(vectors):
        emb = fasttext_bin.read(vectors)
        if prune_buckets:
            extra = _word_list(keep_ngrams_of) if keep_ngrams_of else []
            emb.subwords = emb.subwords.pruned(emb.words + extra)
        emb.save(output, overwrite=force)
        click.echo(f"{len(emb):,} words x {emb.dim} dims and {len(emb.subwords.ngrams):,} "
                   f"n-gram rows imported to {output}")
        return
    if prune_buckets or keep_ngrams_of:
        raise click.UsageError("--prune-buckets applies to a fastText .bin only")
    words, matrix = read_vectors(vectors)
    config = TrainConfig(dim=matrix.shape[1])
    stats = {"imported_from": str(vectors)}  # a TrainStats field; nothing was trained
    Embeddings(words, np.zeros(len(words), dtype=np.int64), matrix, None, config, stats).save(
        output, overwrite=force)
    click.echo(f"{len(words):,} words x {matrix.shape[1]} dims imported to {output}")


def _word_list(path: Path) -> list[str]:
    """The words of a file, one a line (blank lines skipped)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.UsageError(f"{path}: cannot read a word list ({exc})") from None
    return [line.strip() for line in text.splitlines() if line.strip()]
