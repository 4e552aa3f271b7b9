"""Ctrl-C (SIGINT) while counting and while training, in a real subprocess."""

import json
import signal
import subprocess
import sys
import threading
import time

import pytest
from conftest import SAMPLE

from wordvec import Embeddings


def _start(args, **kw):
    proc = subprocess.Popen([sys.executable, "-m", "wordvec", *map(str, args)],
                            stderr=subprocess.PIPE, **kw)
    seen = bytearray()

    def read():
        for chunk in iter(lambda: proc.stderr.read1(4096), b""):
            seen.extend(chunk)

    threading.Thread(target=read, daemon=True).start()
    return proc, seen


def _wait_for(seen: bytearray, marker: bytes, proc, limit: float = 180.0) -> None:
    deadline = time.monotonic() + limit
    while marker not in seen:
        assert proc.poll() is None, bytes(seen).decode(errors="replace")
        assert time.monotonic() < deadline, f"{marker!r} never appeared"
        time.sleep(0.05)


@pytest.mark.slow
def test_sigint_while_training_saves_an_incomplete_model(tmp_path):
    out = tmp_path / "m"
    proc, seen = _start(["train", SAMPLE, "--epochs", "200", "-o", out])
    _wait_for(seen, b"epoch 1/", proc)  # kernels compiled, training under way
    time.sleep(4.0)  # a few chunks of ~1M tokens; the signal is handled between chunks
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 130
    time.sleep(0.2)
    assert b"--resume" in seen and b"Traceback" not in seen
    meta = json.loads((out / "meta.json").read_text())
    assert meta["complete"] is False and 0 < meta["stats"]["progress"] < 1
    assert len(Embeddings.load(out)) == 360  # a whole, loadable model
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]  # no temporary left


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_stop_while_counting_writes_nothing(tmp_path, signum, code):
    """Also with the counting worker processes running: they end without a word."""
    out = tmp_path / "m"
    proc, seen = _start(["train", "-", "-o", out], stdin=subprocess.PIPE)
    proc.stdin.write(b"some words to count\n" * 1000)
    proc.stdin.flush()  # stdin stays open: the counting pass waits for more
    _wait_for(seen, b"counting words in 1 input", proc)
    proc.send_signal(signum)
    assert proc.wait(timeout=60) == code
    proc.stdin.close()
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert b"Traceback" not in seen
