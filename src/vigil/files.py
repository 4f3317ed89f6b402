"""Files that Vigil writes with personal or sensitive data in them (uploads, exports, reports): readable and
writable by their owner only, whatever the umask, so another account on the server cannot read them."""

import os
from pathlib import Path
from typing import IO

PRIVATE_MODE = 0o600


def private_file_open(path: str | os.PathLike, *, text: bool = True, exclusive: bool = False) -> IO:
    """`path` opened for writing with mode 0600: created, or (unless `exclusive`) truncated. Text is UTF-8
    with newlines as written."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, PRIVATE_MODE)
    os.fchmod(fd, PRIVATE_MODE)  # a file that was already there keeps its old mode otherwise
    return os.fdopen(fd, "w", encoding="utf-8", newline="") if text else os.fdopen(fd, "wb")


def private_file_write(path: str | os.PathLike, content: str | bytes) -> None:
    """Write `content` to `path` (see `private_file_open`)."""
    with private_file_open(path, text=isinstance(content, str)) as handle:
        handle.write(content)


def private_directory(path: str | os.PathLike) -> Path:
    """`path` as a directory only its owner may enter, made if it is missing."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path
