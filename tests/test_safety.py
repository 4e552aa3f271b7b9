"""Nothing the user did not ask to replace is destroyed; outputs are written as what they are.

Each test reproduces one of the data-loss paths of issue #11 through the command line.
"""

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from conftest import SAMPLE
from test_interrupt import _start, _wait_for

from wordvec import Embeddings
from wordvec.corpus import expand_paths, tokenize
from wordvec.files import is_stream


def run(*args, **kw):
    return subprocess.run([sys.executable, "-m", "wordvec", *map(str, args)],
                          capture_output=True, timeout=300, **kw)


def _train(corpus, out, *extra):
    result = run("train", corpus, "-o", out, "--min-count", "1", "--epochs", "1", "-q",
                 "--threads", "1", *extra)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def base(small_corpus, tmp_path):
    """A small trained model at tmp_path/base."""
    _train(small_corpus, tmp_path / "base")
    return tmp_path / "base"


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _one_line_error(result, code=2):
    err = result.stderr.decode()
    assert result.returncode == code, err
    assert err.startswith("Error: ") and err.count("\n") == 1 and "Traceback" not in err
    return err


@pytest.mark.parametrize("command", ["train", "import"])
def test_force_never_replaces_a_folder_that_is_not_provably_a_model(command, small_corpus,
                                                                    base, tmp_path):
    target = tmp_path / "p"
    target.mkdir()
    (target / "meta.json").write_text("{}")
    (target / "thesis.tex").write_text("x")
    vectors = tmp_path / "v.txt"
    assert run("export", "-m", base, "-o", vectors).returncode == 0
    args = [small_corpus, "--min-count", "1", "-q"] if command == "train" else [vectors]
    err = _one_line_error(run(command, *args, "-o", target, "--force"))
    assert "thesis.tex" in err and (target / "thesis.tex").read_text() == "x"
    (target / "meta.json").unlink()  # a real model with a stranger's file in it
    for name, content in _snapshot(base).items():
        (target / name).write_bytes(content)
    err = _one_line_error(run(command, *args, "-o", target, "--force"))
    assert "thesis.tex" in err and (target / "thesis.tex").exists()
    (target / "thesis.tex").unlink()
    assert run(command, *args, "-o", target, "--force").returncode == 0


def test_interrupted_resume_in_place_keeps_the_model_whole(small_corpus, base, tmp_path):
    before = _snapshot(base)
    proc, seen = _start(["train", small_corpus, "--resume", base, "--epochs", "500"])
    _wait_for(seen, b"epoch 1/", proc)
    time.sleep(2.0)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 130
    time.sleep(0.2)
    assert _snapshot(base) == before  # not one byte of the complete model changed
    partial = tmp_path / "base.interrupted"
    assert f"saved to {partial}".encode() in seen and b"is unchanged" in seen
    meta = json.loads((partial / "meta.json").read_text())
    assert meta["complete"] is False
    assert Embeddings.load(partial).words == Embeddings.load(base).words
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base", "base.interrupted",
                                                          "small.txt"]


@pytest.mark.parametrize("fmt, inside", [("npy", "."), ("glove", "vectors.txt"),
                                         ("word2vec", "sub/v.vec")])
def test_export_into_a_model_folder_is_refused(base, fmt, inside):
    before = _snapshot(base)
    err = _one_line_error(run("export", "-m", base, "-f", fmt, "-o", base / inside))
    assert "inside the model folder" in err
    assert _snapshot(base) == before
    Embeddings.load(base)


def _device_like_dev_full(tmp_path):
    """A private copy of /dev/full's node: a regression must not replace the real one."""
    node = tmp_path / "full"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except PermissionError:
        pytest.skip("making a device node needs root")
    return node


def test_export_to_stdout_pipe_fifo_and_symlink(base, tmp_path):
    expected = run("export", "-m", base, "-o", "-").stdout
    assert expected.count(b"\n") == len(Embeddings.load(base))
    stdout = tmp_path / "stdout"  # what /dev/stdout is, made here: writing the real one
    stdout.symlink_to("/proc/self/fd/1")  # through a regression would replace it
    assert run("export", "-m", base, "-o", stdout).stdout == expected
    assert stdout.is_symlink()
    assert all(map(is_stream, ["-", "/dev/stdout", "/dev/fd/1", "/dev/null"]))
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got = bytearray()
    reader = threading.Thread(target=lambda: got.extend(fifo.read_bytes()), daemon=True)
    reader.start()
    assert run("export", "-m", base, "-o", fifo).returncode == 0
    reader.join(timeout=60)
    assert bytes(got) == expected and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    real, link = tmp_path / "real.txt", tmp_path / "link.txt"
    real.write_text("old")
    real.chmod(0o640)
    link.symlink_to(real)
    assert run("export", "-m", base, "-o", link).returncode == 0
    assert link.is_symlink() and real.read_bytes() == expected
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_export_write_errors_are_clear(base, tmp_path):
    node = _device_like_dev_full(tmp_path)
    full = _one_line_error(run("export", "-m", base, "-o", node))
    assert full.startswith(f"Error: {node}: could not write (No space left on device)")
    assert stat.S_ISCHR(os.lstat(node).st_mode)
    proc = subprocess.Popen([sys.executable, "-m", "wordvec", "export", "-m", str(base)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()  # the reader goes away long before 360 lines of 100 floats
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 2
    assert err.startswith("Error: ") and "reading end was closed" in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_folder_walk_skips_hidden_folders_and_models(small_corpus, tmp_path):
    corpus = tmp_path / "d"
    (corpus / ".git" / "objects").mkdir(parents=True)
    (corpus / ".git" / "objects" / "ab").write_text("blob")
    (corpus / ".notes.txt").write_text("hidden")
    (corpus / "text.txt").write_bytes(small_corpus.read_bytes())
    _train(corpus, corpus / "model")
    assert expand_paths([corpus]) == [corpus / "text.txt"]
    _train(corpus, corpus / "model", "--force")  # the first model now lies in the corpus
    tokens = sum(len(tokenize(line)) for line in small_corpus.read_text().splitlines())
    assert Embeddings.load(corpus / "model").stats["raw_tokens"] == tokens  # text.txt only


def test_force_no_longer_reads_binary_input(tmp_path):
    binary = tmp_path / "img.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + b"word " * 400)
    err = _one_line_error(run("train", binary, "-o", tmp_path / "m", "--force", "-q"))
    assert "--binary-ok" in err
    _train(binary, tmp_path / "m", "--binary-ok", "--tokenizer", "whitespace")


def test_glob_characters_in_the_output_name_match_nothing_else(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    other = tmp_path / f".r.tmp-{dead}-1-0000abcd"  # another output's, which "*" matched
    other.mkdir()
    (other / "vectors.npy").write_text("theirs")
    live = tmp_path / f".m.tmp-{os.getpid()}-0-0000abcd"  # a writer still running
    live.mkdir()
    model = Embeddings(["a", "b"], [2, 1], np.ones((2, 3), np.float32))
    model.save(tmp_path / "*")
    model.save(tmp_path / "m")
    assert (other / "vectors.npy").read_text() == "theirs" and live.is_dir()


def test_unwritable_output_fails_before_reading_the_corpus(tmp_path):
    (tmp_path / "file.txt").write_text("not a folder")
    proc = subprocess.Popen([sys.executable, "-m", "wordvec", "train", "-", "-o",
                             str(tmp_path / "file.txt" / "model")],
                            stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    try:  # stdin stays open: only a check made before reading it can end the run
        code = proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the output was not checked before reading the corpus")
    finally:
        proc.stdin.close()
    err = proc.stderr.read().decode()
    assert code == 2 and err.startswith("Error: ") and "cannot write" in err, err


def test_fifo_corpus_is_read(small_corpus, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(small_corpus.read_bytes()),
                              daemon=True)
    writer.start()
    result = _train(fifo, tmp_path / "m")
    writer.join(timeout=60)
    assert b"saved to" in result.stdout
    _train(small_corpus, tmp_path / "from-file")
    from_fifo, from_file = Embeddings.load(tmp_path / "m"), Embeddings.load(tmp_path / "from-file")
    assert from_fifo.words == from_file.words
    assert from_fifo.stats["raw_tokens"] == from_file.stats["raw_tokens"] > 20_000


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_sigterm_and_sighup_clean_up_like_ctrl_c(signum, code, tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    out = tmp_path / "m"
    proc, seen = _start(["train", SAMPLE, "--epochs", "200", "-o", out], env=env)
    _wait_for(seen, b"epoch 1/", proc)
    assert list(scratch.iterdir())  # the scratch folder exists while training
    time.sleep(1.0)
    proc.send_signal(signum)
    assert proc.wait(timeout=60) == code
    time.sleep(0.2)
    assert list(scratch.iterdir()) == [] and b"Traceback" not in seen
    assert json.loads((out / "meta.json").read_text())["complete"] is False
    assert f"Stopped by {signal.Signals(signum).name}".encode() in seen
