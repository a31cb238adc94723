"""Files and folders only the user running dwhkit controls: created without following or
truncating anything planted (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600, renamed into place), and read only
when they are regular files of that user that nobody else can write or read. Used for the embedded
server's state and for kept translations; a refusal is a ServerError naming what is wrong."""
from __future__ import annotations

import contextlib
import errno
import os
import pwd
import secrets
import stat
from pathlib import Path

from .errors import ServerError

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def owner_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def check_private_dir(path: Path, what: str) -> None:
    """Refuse a folder that is a symlink, not ours, or writable by group or others."""
    st = os.lstat(path)
    problem = None
    if stat.S_ISLNK(st.st_mode):
        problem = "it is a symbolic link"
    elif not stat.S_ISDIR(st.st_mode):
        problem = "it is not a directory"
    elif st.st_uid != os.geteuid():
        problem = f"it belongs to {owner_name(st.st_uid)}, not to {owner_name(os.geteuid())} who runs dwhkit"
    elif st.st_mode & 0o022:
        problem = f"it is writable by group or others (mode {stat.S_IMODE(st.st_mode):o})"
    if problem:
        raise ServerError(f"refusing to use {what} {path}: {problem}. Someone else may have created it; "
                          "check it, remove it, and run the command again.")


def ensure_own_dir(path: Path, mode: int, what: str) -> None:
    """Create ``path`` (parents too) or check an existing one is ours; then set its mode."""
    try:
        path.mkdir(parents=True, mode=mode)
    except FileExistsError:
        pass
    st = os.lstat(path)
    if stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid() and not stat.S_ISLNK(st.st_mode):
        os.chmod(path, mode)  # ours: a umask of 002 must not leave it group-writable
    check_private_dir(path, what)


def write_private(path: Path, text: str) -> None:
    """Write a file only we can read: a fresh name (O_CREAT|O_EXCL|O_NOFOLLOW, 0600) renamed over
    ``path``, so a planted file or symlink at either name is never opened, truncated or followed."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def read_private(path: Path) -> str | None:
    """A file we wrote (None if absent); refuse a symlink, another owner, or one others can read."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ServerError(f"refusing to read {path}: it is a symbolic link. Someone else may have "
                              "created it; check it, remove it, and run the command again.") from None
        raise
    with os.fdopen(fd) as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o077:
            raise ServerError(f"refusing to read {path}: not a private file of {owner_name(os.geteuid())} "
                              f"(owner {owner_name(st.st_uid)}, mode {stat.S_IMODE(st.st_mode):o}). Someone "
                              "else may have created it; check it, remove it, and run the command again.")
        return fh.read()
