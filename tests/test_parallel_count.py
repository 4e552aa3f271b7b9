"""Counting in worker processes gives exactly what the serial counting pass gives."""

import gzip

import numpy as np
import pytest
from conftest import SAMPLE

from wordvec import TrainConfig, corpus, parallel_count, train, trainer, vocab
from wordvec.stats import TrainStats


def _serial(files, workdir, max_vocab_size=10_000_000):
    stats = TrainStats()
    raw = vocab.count_and_spool(corpus.iter_sentences(files, stats=stats), workdir,
                                max_vocab_size)
    return raw, stats


def _parallel(files, workdir, workers=2, max_vocab_size=10_000_000):
    stats, done = TrainStats(), []
    raw = parallel_count.count_in_workers(files, workers, "default", True, workdir,
                                          max_vocab_size, done.append, False, stats)
    return raw, stats, sum(done)


def _same(a, b):
    n = len(a.index)
    assert a.index == b.index  # the same words with the same provisional ids
    np.testing.assert_array_equal(a.counts[:n], b.counts[:n])
    assert a.ids_path.read_bytes() == b.ids_path.read_bytes()
    assert a.ends_path.read_bytes() == b.ends_path.read_bytes()
    assert (a.n_tokens, a.n_sentences) == (b.n_tokens, b.n_sentences)


@pytest.fixture
def inputs(tmp_path, monkeypatch):
    """Small parts (so a few KB make many), and text with every awkward case: empty
    lines, a line of 25,000 words (cut into sentences), a run of 3,000 characters with
    no newline (cut into pieces), invalid UTF-8, NFKC, no final newline, a gzip file."""
    monkeypatch.setattr(parallel_count, "RANGE_BYTES", 4096)
    monkeypatch.setattr(corpus, "MAX_CARRY_CHARS", 1000)
    with open(SAMPLE, encoding="utf-8") as f:
        head = "".join(next(f) for _ in range(400))
    plain = tmp_path / "a.txt"
    plain.write_bytes(head.encode() + b"\n\n  \nBad \xff\xfe bytes, \xef\xbc\xab\xef\xbd\x89ng\n"
                      + " ".join(["w1", "w2", "w3"] * 8_334).encode() + b"\n"
                      + b"x" * 3000 + b" tail\nlast line without newline")
    packed = tmp_path / "b.txt.gz"
    packed.write_bytes(gzip.compress(head.encode() * 3))
    return [plain, packed, tmp_path / "c.txt"], head


def test_workers_count_exactly_as_the_serial_pass(inputs, tmp_path):
    files, head = inputs
    files[2].write_text(head[: len(head) // 2])
    (tmp_path / "s").mkdir()
    (tmp_path / "p").mkdir()
    serial, serial_stats = _serial(files, tmp_path / "s")
    parallel, parallel_stats, reported = _parallel(files, tmp_path / "p")
    _same(serial, parallel)
    assert serial.n_sentences > 400 and serial_stats.invalid_utf8 == 2
    assert parallel_stats.invalid_utf8 == 2
    assert reported == sum(f.stat().st_size for f in files)  # the progress bar: all bytes
    assert len(corpus.line_ranges(files[0], 4096)) >= 5  # many parts did run


@pytest.mark.parametrize("worker_words", [0, 40])
def test_workers_that_forget_their_words_count_the_same(inputs, tmp_path, monkeypatch,
                                                        worker_words):
    """A worker keeps its numbering of words from part to part, and forgets it past
    WORKER_WORDS words (0: after every part); either way the result is the serial one."""
    monkeypatch.setattr(parallel_count, "WORKER_WORDS", worker_words)
    files, head = inputs
    files[2].write_text(head)
    (tmp_path / "s").mkdir()
    (tmp_path / "p").mkdir()
    _same(_serial(files, tmp_path / "s")[0], _parallel(files, tmp_path / "p")[0])


def test_words_pruned_and_seen_again_get_ids_as_without_worker_memory(tmp_path, monkeypatch):
    """Past max_vocab_size, words a worker numbered in an earlier part are pruned and
    come back: they get ids in order of first sight in the part, exactly as when
    workers forget everything after each part (and so send every word again)."""
    monkeypatch.setattr(parallel_count, "RANGE_BYTES", 4096)
    path = tmp_path / "recurring.txt"
    path.write_text("\n".join(" ".join(f"u{(i * 50 + j) % 7_000}" for j in range(50))
                              + " common" for i in range(600)))
    runs = []
    for worker_words in (1 << 20, 0):
        monkeypatch.setattr(parallel_count, "WORKER_WORDS", worker_words)
        (tmp_path / str(worker_words)).mkdir()
        runs.append(_parallel([path], tmp_path / str(worker_words), max_vocab_size=500)[0])
    assert runs[0].pruned > 0
    _same(*runs)


def test_line_ranges_start_at_line_starts(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(b"ab\n" + b"c" * 50 + b"\n\nd\ne")
    ranges = corpus.line_ranges(path, 3)
    data = path.read_bytes()
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
    assert all(data[start - 1:start] == b"\n" for start, _ in ranges[1:])
    assert ranges == [(0, 3), (3, 54), (54, 57), (57, 58)]


def test_pruning_keeps_the_table_bounded(tmp_path, monkeypatch):
    """Past max_vocab_size the rarest words are dropped after each part."""
    monkeypatch.setattr(parallel_count, "RANGE_BYTES", 4096)
    path = tmp_path / "many.txt"
    path.write_text("\n".join(" ".join(f"u{k}" for k in range(i, i + 50)) + " common"
                              for i in range(0, 20_000, 50)))
    raw, _, _ = _parallel([path], tmp_path, max_vocab_size=500)
    assert raw.pruned > 0 and len(raw.index) <= 500 + 1000
    assert raw.counts[raw.index["common"]] == 400


def test_trainer_counts_with_kernels_workers_or_python(small_corpus, monkeypatch):
    """The trainer counts in workers from ``WORKERS_FROM`` threads (lowered here to
    2, as these machines have 2 cores) when it has input to share, and below that in
    one process with the kernels: the vocabulary and the corpus statistics agree.
    Input under two parts is counted by the Python pass (no kernel to compile)."""
    monkeypatch.setattr(parallel_count, "RANGE_BYTES", 4096)
    calls = []
    for module, name in ((parallel_count, "count_in_workers"),
                         (trainer, "count_and_spool_bytes")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name,
                            lambda *a, real=real, name=name, **k: calls.append(name)
                            or real(*a, **k))
    kernels = train(small_corpus, TrainConfig(min_count=1, epochs=1, threads=2))
    assert calls == ["count_and_spool_bytes"]  # 2 threads: below WORKERS_FROM
    monkeypatch.setattr(parallel_count, "WORKERS_FROM", 2)
    workers = train(small_corpus, TrainConfig(min_count=1, epochs=1, threads=2))
    assert calls == ["count_and_spool_bytes", "count_in_workers"]
    assert kernels.words == workers.words and np.array_equal(kernels.counts, workers.counts)
    monkeypatch.setattr(parallel_count, "RANGE_BYTES", 1 << 22)  # now a small input
    python = train(small_corpus, TrainConfig(min_count=1, epochs=1, threads=2))
    assert len(calls) == 2 and python.words == kernels.words
    assert [kernels.stats[k] for k in ("raw_tokens", "train_tokens", "sentences")] == \
        [workers.stats[k] for k in ("raw_tokens", "train_tokens", "sentences")]


def test_text_in_other_scripts_counts_in_workers(tmp_path, monkeypatch):
    """Text the counting kernels would hand line by line to Python (Greek letters
    here) is counted by worker processes at 2 threads, with the words and counts that
    one thread (the kernel pass) finds."""
    monkeypatch.setattr(parallel_count, "RANGE_BYTES", 4096)
    path = tmp_path / "greek.txt"
    rng = np.random.default_rng(0)
    words = ["".join(rng.choice(list("αβγδεζηθικλμ"), 3)) for _ in range(60)]
    path.write_text("\n".join(" ".join(rng.choice(words, 12)) for _ in range(800)),
                    encoding="utf-8")
    calls = []
    real = parallel_count.count_in_workers
    monkeypatch.setattr(parallel_count, "count_in_workers",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    workers = train(path, TrainConfig(min_count=1, epochs=1, threads=2))
    assert calls == [1]
    kernels = train(path, TrainConfig(min_count=1, epochs=1, threads=1))
    assert calls == [1]
    assert workers.words == kernels.words and np.array_equal(workers.counts, kernels.counts)
