"""Writing files and folders without destroying what nobody asked us to replace.

- ``open_output``: a regular file (or the file a symlink points to) is written to a
  hidden sibling and renamed over the target when complete; anything else (``-``,
  ``/dev/stdout``, a device, a FIFO) is written in place, as a stream.
- ``replace_folder``: a finished folder is swapped in for a path with one rename
  (Linux ``renameat2(RENAME_EXCHANGE)``); what it replaced is removed file by file,
  and only the files a model writes.
- A folder is *ours* (a wordvec model we may replace) only when its ``meta.json``
  carries the format marker and it holds nothing but the files a model writes.
- A temporary folder's name records its writer (pid and process start time); a
  sweep removes only temporary folders of the exact output name whose writer is
  gone, whether it was killed while writing or after the swap, when the
  temporary holds the model it replaced, and only the files a model writes.

Nothing here knows about vectors; ``embeddings.py`` and ``formats.py`` use it.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import sys
import uuid
from pathlib import Path

FORMAT_NAME = "wordvec-model"
MODEL_FILES = frozenset({"meta.json", "vectors.npy", "context.npy", "vocab.txt",
                         "word_rows.npy", "ngrams.npy", "ngram_buckets.npy", "phrases.tsv"})
# Written in place even when they resolve to a regular file: the shell opened that
# file for us (perhaps to append), so replacing it would lose what it holds.
STREAM_PREFIXES = ("/dev/std", "/dev/fd/", "/proc/")


def has_model_marker(path: Path) -> bool:
    """True when ``path/meta.json`` is a JSON object with wordvec's format marker."""
    try:
        with open(Path(path) / "meta.json", "rb") as f:
            meta = json.loads(f.read(1 << 20))
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and meta.get("format") == FORMAT_NAME \
        and isinstance(meta.get("format_version"), int)


def foreign_entries(path: Path) -> list[str]:
    """Names in folder ``path`` that a wordvec model does not write (sorted)."""
    return sorted(e.name for e in os.scandir(path)
                  if e.name not in MODEL_FILES or not e.is_file(follow_symlinks=False))


def is_model_folder(path: Path) -> bool:
    """A wordvec model folder we wrote: the marker, and no file a model does not write."""
    path = Path(path)
    return path.is_dir() and not path.is_symlink() and has_model_marker(path) \
        and not foreign_entries(path)


def check_model_output(path: Path, overwrite: bool) -> None:
    """Refuse a model output path that holds anything but a model we may replace.

    Empty folders are taken; a wordvec model only with ``overwrite``; a file, a
    symlink, or a folder with anything else never (the message names what is
    there). Then checks that the folder can be written, before any work starts.
    """
    path = Path(path)
    if path.is_symlink():
        raise FileExistsError(f"{path}: is a symbolic link; give the folder it points to, "
                              f"or choose another `path`")
    if path.exists() and not path.is_dir():
        raise FileExistsError(f"{path}: is a file; choose another `path`")
    if path.exists() and any(os.scandir(path)):
        foreign = foreign_entries(path)
        if foreign or not has_model_marker(path):
            shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
            what = f"holds files a wordvec model does not write ({shown})" if foreign \
                else "is a folder that is not a wordvec model (no valid meta.json)"
            raise FileExistsError(f"{path}: {what}; nothing was replaced, with `overwrite` or "
                                  f"without; choose another `path`")
        if not overwrite:
            raise FileExistsError(f"{path}: a model is already there; set `overwrite` to "
                                  f"replace it or choose another `path`")
    probe_writable(path)


def probe_writable(path: Path) -> None:
    """Create and remove a probe folder where ``path`` will be written; raise if we can't.

    The probe is named as a temporary folder of ``path``, so that one left by a
    writer killed in between is swept up like the others."""
    parent = Path(os.path.abspath(path)).parent
    while not parent.exists():
        parent = parent.parent
    try:
        probe = parent / _temp_name(path)
        probe.mkdir()
        probe.rmdir()
    except OSError as exc:
        raise OSError(exc.errno, f"{path}: cannot write in {parent} ({exc.strerror}); "
                                 f"choose another `path`") from None


def free_sibling(path: Path, suffix: str) -> Path:
    """``path`` + ``suffix`` (then -2, -3, ...): the first such name nothing holds."""
    path = Path(path)
    candidate, n = path.with_name(path.name + suffix), 1
    while os.path.lexists(candidate):
        n += 1
        candidate = path.with_name(f"{path.name}{suffix}-{n}")
    return candidate


# --- temporary folders and their writers ------------------------------------------------

def _start_time(pid: int) -> str:
    """The kernel's start time of process ``pid`` (Linux), or '' where unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return ""


def make_temp_folder(path: Path) -> Path:
    """A new hidden sibling of ``path`` whose name records this process as its writer."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / _temp_name(path)
    tmp.mkdir()
    return tmp


def _temp_name(path: Path) -> str:
    """A new hidden name for a temporary of ``path`` that records this process as its writer."""
    pid = os.getpid()
    return f".{Path(path).name}.tmp-{pid}-{_start_time(pid) or 0}-{uuid.uuid4().hex[:8]}"


def _writer_gone(name: str) -> bool:
    """True only when the writer recorded in a temporary's name (after the prefix) is gone."""
    pid, _, rest = name.partition("-")
    started = rest.partition("-")[0]
    if not (pid.isdigit() and started.isdigit()):
        return False  # not a name we make: not provably ours, leave it alone
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return started != "0" and _start_time(int(pid)) not in ("", started)  # pid reused


def remove_model_files(folder: Path) -> None:
    """Delete the files a model writes, then the folder if that left it empty."""
    for name in MODEL_FILES:
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, PermissionError):
            if not (folder / name).is_dir():
                (folder / name).unlink()
    with contextlib.suppress(OSError):  # something else in it: not ours, so it stays
        folder.rmdir()


def sweep_temp_folders(path: Path) -> None:
    """Remove temporary folders of ``path`` left by writers that no longer run."""
    path = Path(path)
    prefix = f".{path.name}.tmp-"
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(path.parent):
            if entry.name.startswith(prefix) and entry.is_dir(follow_symlinks=False) \
                    and _writer_gone(entry.name[len(prefix):]):
                remove_model_files(Path(entry.path))


def _rename_exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        at_fdcwd, rename_exchange = -100, 2
        return libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b),
                              rename_exchange) == 0
    except (OSError, AttributeError):
        return False


def replace_folder(new: Path, path: Path) -> None:
    """Move the finished folder ``new`` to ``path``; what ``path`` held ends up at ``new``.

    The caller checked (``check_model_output``) that ``path`` is empty or ours, and
    removes ``new`` afterwards with ``remove_model_files``.
    """
    if not path.exists():
        os.rename(new, path)
    elif not _rename_exchange(new, path):
        old = path.parent / f"{new.name}.old"
        os.rename(path, old)  # only here can a crash leave no model at path (old is kept)
        os.rename(new, path)
        os.rename(old, new)
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


# --- single output files ----------------------------------------------------------------

def is_stream(out: str | os.PathLike) -> bool:
    """True for ``-`` and targets written in place: devices, FIFOs, sockets, /dev/stdout."""
    text = str(out)
    if text == "-" or os.path.abspath(text).startswith(STREAM_PREFIXES):
        return True
    try:
        mode = os.stat(text).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


@contextlib.contextmanager
def open_output(out: str | os.PathLike):
    """A binary file object for ``out``; write errors become one clear OSError.

    Regular files (and the files symlinks point to) are replaced atomically, keeping
    their permissions; nothing is left if writing fails. Streams are written in place.
    """
    try:
        if not is_stream(out):
            with _atomic_file(Path(os.path.realpath(out))) as f:
                yield f
        elif str(out) == "-":
            sys.stdout.flush()
            yield _Stream(sys.stdout.fileno())
        else:  # append: /dev/stdout may be a file the shell opened with >>
            fd = os.open(out, os.O_WRONLY | os.O_APPEND)
            try:
                yield _Stream(fd)
            finally:
                os.close(fd)
    except OSError as exc:
        if exc.errno is None:
            raise
        if exc.errno == errno.EPIPE:
            _silence_stdout()
        raise OSError(exc.errno, f"{out}: could not write ({exc.strerror}); "
                                 f"{_write_hint(exc.errno)}") from None


class _Stream:
    """Writes every byte or raises. A buffered file object can take a short write to
    a pipe whose reader has left as success and drop the rest without an error."""

    def __init__(self, fd: int):
        self.fd = fd

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        while view:
            view = view[os.write(self.fd, view):]
        return len(data)


def _write_hint(code: int) -> str:
    if code == errno.EPIPE:
        return "the reading end was closed before all output was written"
    if code == errno.ENOSPC:
        return "free some space or write elsewhere"
    if code == errno.EISDIR:
        return "give a file name, not a folder"
    return "check the path and its permissions"


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the exit-time flush cannot fail."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


@contextlib.contextmanager
def _atomic_file(target: Path):
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder")
    tmp = target.parent / f".{target.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        with open(tmp, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def check_export_target(out: str | os.PathLike, model: str | os.PathLike) -> None:
    """Refuse an export path that is or lies in ``model`` or any other model folder."""
    if is_stream(out):
        return
    around = Path(model) if inside(out, model) else model_folder_around(out)
    if around is not None:
        raise ValueError(f"{out}: is inside the model folder {around}, and writing there "
                         f"would break the model; choose a path outside it")


def inside(path: str | os.PathLike, folder: str | os.PathLike) -> bool:
    """True when ``path`` is ``folder`` or lies under it, after resolving links."""
    real, home = Path(os.path.realpath(path)), Path(os.path.realpath(folder))
    return real == home or home in real.parents


def model_folder_around(path: str | os.PathLike) -> Path | None:
    """The wordvec model folder that ``path`` is or lies in, if any."""
    real = Path(os.path.realpath(path))
    return next((p for p in (real, *real.parents) if has_model_marker(p)), None)


def regular_head(path: str | os.PathLike, n: int) -> bytes | None:
    """The first ``n`` bytes of a regular file; None for anything else (a FIFO or device
    is never read here: its first bytes would be lost to the real reader) or for a
    file that cannot be opened (reading it for real says why)."""
    if not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as f:
            return f.read(n)
    except OSError:
        return None
