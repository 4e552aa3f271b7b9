"""Failures while writing, killed writers, concurrent writers, and fuzzed inputs."""

import errno
import json
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wordvec import Embeddings, embeddings
from wordvec.corpus import CorpusError, iter_sentences, tokenize
from wordvec.embeddings import ModelError
from wordvec.formats import export, read_vectors


def _model(value: float, n: int = 50, dim: int = 8) -> Embeddings:
    return Embeddings([f"w{i}" for i in range(n)], np.arange(n, 0, -1),
                      np.full((n, dim), value, dtype=np.float32),
                      np.full((n, dim), -value, dtype=np.float32), stats={"value": value})


def test_disk_full_leaves_the_old_model_and_no_temporaries(tmp_path, monkeypatch):
    _model(1.0).save(tmp_path / "m")
    real = embeddings._write_synced

    def full_disk(path, write):
        if path.name == "context.npy":
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, write)

    monkeypatch.setattr(embeddings, "_write_synced", full_disk)
    with pytest.raises(OSError, match="could not write the model .No space left on device"):
        _model(2.0).save(tmp_path / "m", overwrite=True)
    assert Embeddings.load(tmp_path / "m").stats["value"] == 1.0
    assert [p.name for p in tmp_path.iterdir()] == ["m"]


def test_temporaries_of_dead_writers_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f".m.tmp-{dead}-1-0000abcd"  # writer's pid and start time
    stale.mkdir()
    (stale / "vectors.npy").write_bytes(b"half written")
    unowned = tmp_path / f".m.tmp-{dead}-0000beef"  # not a name we make: not provably ours
    unowned.mkdir()
    _model(1.0).save(tmp_path / "m")
    assert sorted(p.name for p in tmp_path.iterdir()) == [unowned.name, "m"]


SAVER = """
import sys, numpy as np
sys.path.insert(0, {root!r})
from wordvec import Embeddings
n = 20_000
for i in range(10_000):
    v = float(i % 2 + 1)
    Embeddings([f"w{{k}}" for k in range(n)], np.arange(n, 0, -1),
               np.full((n, 64), v, np.float32), np.full((n, 64), -v, np.float32),
               stats={{"value": v}}).save(sys.argv[1], overwrite=True)
"""


@pytest.mark.slow
def test_sigkill_during_saves_never_leaves_a_mixed_model(tmp_path):
    script = tmp_path / "saver.py"
    script.write_text(SAVER.format(root=str(ROOT)))
    out, rng = tmp_path / "m", random.Random(4)
    for _ in range(12):
        proc = subprocess.Popen([sys.executable, str(script), str(out)])
        deadline = time.monotonic() + 120
        while not out.exists():  # every kill lands after at least one finished save,
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.8))  # so it can interrupt the next one mid-way
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        model = Embeddings.load(out)
        value = model.stats["value"]
        assert (np.asarray(model.vectors) == value).all()
        assert (np.asarray(model.context) == -value).all()
    _model(3.0).save(out, overwrite=True)  # the next writer sweeps up after killed ones
    assert [p.name for p in tmp_path.iterdir() if p.name != "saver.py"] == ["m"]


def test_two_trainings_writing_one_output(small_corpus, tmp_path):
    args = [sys.executable, "-m", "wordvec", "train", str(small_corpus), "--epochs", "1",
            "--min-count", "2", "-q", "--threads", "1", "-o", str(tmp_path / "m")]
    procs = [subprocess.Popen(args, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    assert 0 in [code for code, _ in results]
    for code, err in results:
        assert code == 0 or (code == 2 and err.startswith("Error: ") and err.count("\n") == 1)
    assert len(Embeddings.load(tmp_path / "m")) == 360
    assert [p.name for p in tmp_path.iterdir() if p.name != "small.txt"] == ["m"]


FUZZ = settings(max_examples=2000, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(data=st.binary(max_size=300))
def test_fuzz_corpus_reader(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("c") / "c.txt"
    path.write_bytes(data)
    lines = data.decode("utf-8", errors="replace").split("\n")
    expected = [tokens for tokens in map(tokenize, lines) if tokens]  # line by line, by hand
    compressed = data.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00"))
    for binary_ok in (False, True):
        try:
            sentences = list(iter_sentences([path], binary_ok=binary_ok))
        except CorpusError:
            assert compressed or not binary_ok  # a damaged archive, or the binary check
            continue
        if not compressed:
            assert sentences == expected


@pytest.fixture(scope="module")
def valid_files(tmp_path_factory) -> list[bytes]:
    """A small model in each vector format, exported once."""
    folder, found = tmp_path_factory.mktemp("valid"), []
    for fmt in ("glove", "word2vec", "word2vec-binary"):
        export(_model(0.5, n=3, dim=2), folder / fmt, fmt)
        found.append((folder / fmt).read_bytes())
    return found


@FUZZ
@given(data=st.binary(max_size=200), which=st.integers(0, 2),
       cuts=st.lists(st.tuples(st.integers(0, 200), st.binary(max_size=3)), max_size=3),
       mutate=st.booleans())
def test_fuzz_vector_reader(tmp_path_factory, valid_files, data, which, cuts, mutate):
    folder = tmp_path_factory.mktemp("v")
    content = bytearray(valid_files[which] if mutate else data)
    for at, insert in cuts:
        content[at:at + len(insert)] = insert
    path = folder / "in"
    path.write_bytes(bytes(content))
    try:
        words, matrix = read_vectors(path)
    except ValueError:
        return
    assert len(words) == len(matrix) == len(set(words)) and matrix.shape[1] >= 1
    assert np.isfinite(matrix).all() and matrix.dtype == np.float32
    # whatever is accepted can be stored as a model: no word that breaks vocab.txt
    assert all(w and not any(c in w for c in "\t\n\r") for w in words)


@pytest.fixture(scope="module")
def model_files(tmp_path_factory) -> dict[str, bytes]:
    """The files of one small saved model, made once (saving syncs to disk: slow)."""
    folder = tmp_path_factory.mktemp("saved") / "m"
    _model(0.5, n=4, dim=3).save(folder)
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@FUZZ
@given(target=st.sampled_from(["meta.json", "vocab.txt", "vectors.npy", "context.npy"]),
       at=st.integers(0, 400), insert=st.binary(min_size=1, max_size=8),
       truncate=st.booleans())
def test_fuzz_model_loader(tmp_path_factory, model_files, target, at, insert, truncate):
    folder = tmp_path_factory.mktemp("m")
    for name, content in model_files.items():
        (folder / name).write_bytes(content)
    data = bytearray((folder / target).read_bytes())
    if truncate:
        del data[at:]
    else:
        data[at:at + len(insert)] = insert
    (folder / target).write_bytes(bytes(data))
    try:
        model = Embeddings.load(folder)
    except ModelError:
        return
    assert model.vectors.shape == (len(model.words), model.dim) == model.context.shape
    assert model.counts.shape == (len(model.words),) and model.vectors.dtype == np.float32
    with np.errstate(over="ignore", invalid="ignore"):  # fuzzed floats may be huge
        assert model.unit_vectors().shape == model.vectors.shape  # queries can run on it


@pytest.mark.parametrize("edit", [{"config": {"min_alpha": 10.0}}, {"config": {"dim": "x"}},
                                  {"config": [1, 2]}, {"stats": "none"}])
def test_model_with_bad_settings_in_meta_is_corrupt(tmp_path, edit):
    _model(1.0).save(tmp_path / "m")
    meta_path = tmp_path / "m" / "meta.json"
    meta = json.loads(meta_path.read_text())
    for key, value in edit.items():
        if isinstance(value, dict):
            meta[key].update(value)
        else:
            meta[key] = value
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="meta.json is corrupt"):
        Embeddings.load(tmp_path / "m")
