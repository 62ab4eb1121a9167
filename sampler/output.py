"""Output folders (a plan folder, a comparison): checked before anything is planned, written
beside the target and moved into place.

Why each rule:

- **Checked first.** Planning a city takes minutes; an output folder that cannot be written
  (no permission, a read-only file system, a file in the way) must be found before that, and
  named as the user gave it, not as a hidden staging path. :func:`prepare_output` tries what
  the write will do (it makes and removes a probe folder), since ``os.access`` says yes to
  root on a read-only mount.
- **Never a mount point.** The folder is replaced by renaming a finished one into place, and
  the root of a mount (a USB stick) cannot be renamed.
- **Staging folders carry their owner.** The staging folder is ``.NAME.PID.xxxxxxxx`` beside
  the target (``.NAME.old.PID.xxxxxxxx`` for an old folder on its way out), so a later run
  removes those whose process is gone (killed during the write) and never one a live run
  owns. A process of the same id on another machine sharing the folder would be taken for
  alive: such a folder stays, which is the safe side.
- **What is atomic.** The new folder is whole before it is moved in. On Linux it is swapped
  with the old one in one step (``renameat2`` with ``RENAME_EXCHANGE``), so the target is
  always the old folder or the new one, never missing; elsewhere (or on a file system
  without it) the old folder is renamed away and the new one renamed in, a moment in which
  the target is missing but both are whole. Files in the old folder that the new one does
  not write and that are not ours (a user's ``notes.txt``) are hard-linked into the new
  folder before the swap, so they are kept, the same files; one created during that moment
  would stay in the old folder, which is then removed: the only way to lose one.
- **Symlinks stay.** A target that is a symlink (``latest -> plans/day1``) is resolved: the
  folder it points to is replaced and the link keeps pointing there.
- **Foreign files refuse.** A folder holding files that are not ours is refused unless
  ``force``: ``-o ~/Documents`` is a typo, not a wish. With ``force`` they are kept.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# What a plan folder holds (sampler plan, its --report, sampler staff, sampler replan):
# replaced freely.
PLAN_FOLDER_FILES = frozenset(
    {"roster.csv", "rosters", "assignments.csv", "sites.csv", "plan.json", "scenario.yaml",
     "report.html", "roster.xlsx", "staff.json", "changes.csv"}
)  # fmt: skip

# Temporary files of ours inside a plan folder, left when `sampler report` is killed while
# writing (plan_folder.replace_atomically), and the probe of prepare_output: ours to replace,
# not foreign files that would make the next plan refuse the folder.
OUR_TEMPORARY = re.compile(
    r"\.(?:report\.[a-z0-9_]{8}\.html|roster\.[a-z0-9_]{8}\.xlsx|sampler-probe\.[a-z0-9_]{8})"
)

Ours = Callable[[Path], bool]  # does this entry of an output folder belong to the output?


class OutputError(Exception):
    """The output folder cannot be used; the message names it as the user gave it."""


def in_plan_folder(entry: Path) -> bool:
    """An entry a plan folder's writers make (and so may replace)."""
    return entry.name in PLAN_FOLDER_FILES or OUR_TEMPORARY.fullmatch(entry.name) is not None


@dataclass(frozen=True)
class Output:
    """An output folder that passed :func:`prepare_output`."""

    path: Path  # as the user gave it (a symlink stays one)
    folder: Path  # where the files go: ``path`` with symlinks resolved
    ours: Ours


def prepare_output(
    out_dir: str | Path, ours: Ours = in_plan_folder, what: str = "plan", force: bool = False
) -> Output:
    """Check an output folder before anything is planned; raises :class:`OutputError`.

    It must be a folder or not exist yet (its nearest existing ancestor a folder), not a
    mount point, writable where the write goes, and hold nothing but ``ours`` unless
    ``force``. Nothing is left behind by the check.
    """
    path = Path(out_dir)
    folder = path.resolve()
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{path}: exists and is not a folder")
    if folder.is_dir() and os.path.ismount(folder):
        raise OutputError(
            f"{path}: is a mount point (the root of a drive); a {what} folder is replaced by "
            f"renaming, which a mount point cannot be: use a folder inside it, e.g. "
            f"{path / what}"
        )
    base = folder.parent
    while not base.exists():
        base = base.parent
    if not base.is_dir():
        raise OutputError(f"{path}: {base} is a file, not a folder")
    ensure_writable(base, path)
    if folder.is_dir():
        ensure_writable(folder, path)
        foreign = sorted(e.name for e in folder.iterdir() if not ours(e))
        if foreign and not force:
            more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
            shown = ", ".join(foreign[:5]) + more
            raise OutputError(
                f"{path}: holds files that are not a {what}'s ({shown}); not writing there "
                f"(--force writes the {what} and keeps them)"
            )
    return Output(path=path, folder=folder, ours=ours)


def ensure_writable(folder: Path, shown: Path) -> None:
    """Make and remove a probe folder in ``folder``: an OSError (no permission, read-only
    file system) becomes an :class:`OutputError` naming ``shown``, the user's path."""
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".sampler-probe.", dir=folder))
    except OSError as exc:
        where = "" if folder == shown.resolve() else f" (in {folder})"
        reason = exc.strerror or type(exc).__name__
        raise OutputError(f"{shown}: cannot write there{where}: {reason}") from None


def _staging_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"\.{re.escape(name)}\.(?:old\.)?(\d+)\.[a-z0-9_]{{8}}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return pid > 0


def remove_stale(folder: Path) -> list[Path]:
    """Remove staging folders of ``folder`` left by runs that were killed (their process is
    gone); returns what was removed. Only names of our exact pattern are touched."""
    pattern = _staging_pattern(folder.name)
    removed: list[Path] = []
    if not folder.parent.is_dir():
        return removed
    for entry in folder.parent.iterdir():
        match = pattern.fullmatch(entry.name)
        if match and entry.is_dir() and not entry.is_symlink() and not _alive(int(match[1])):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


@contextmanager
def staged(out: Output) -> Iterator[Path]:
    """A fresh staging folder beside the output: moved into place (keeping foreign files)
    when the block ends without an error, removed otherwise."""
    folder = out.folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(folder)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.{os.getpid()}.", dir=folder.parent))
    try:
        yield staging
        keep_foreign(folder, staging, out.ours)
        swap_in(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def keep_foreign(folder: Path, staging: Path, ours: Ours) -> None:
    """Hard-link (or copy, where links fail) what is not ours in ``folder`` into ``staging``."""
    if not folder.is_dir():
        return
    for entry in sorted(folder.iterdir()):
        target = staging / entry.name
        if ours(entry) or target.exists() or target.is_symlink():
            continue
        if entry.is_symlink():
            os.symlink(os.readlink(entry), target)
        elif entry.is_dir():
            shutil.copytree(entry, target, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(entry, target)


def _link_or_copy(source: str | Path, target: str | Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def swap_in(staging: Path, folder: Path) -> None:
    """Move a finished folder into place; the old one is removed only afterwards."""
    os.chmod(staging, 0o755)
    if not folder.exists():
        staging.rename(folder)
    elif _exchange(staging, folder):
        shutil.rmtree(staging, ignore_errors=True)  # it holds the old folder now
    else:
        old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.{os.getpid()}.", dir=folder.parent))
        old.rmdir()
        folder.rename(old)
        staging.rename(folder)
        shutil.rmtree(old, ignore_errors=True)


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:  # glibc before 2.28, musl
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: this file system cannot
        return False
    raise OSError(code, os.strerror(code), str(b))
