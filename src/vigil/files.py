"""Files that Vigil's commands write with personal or sensitive data in them (exports, reports): readable
and writable by their owner only, whatever the umask, so another account on the server cannot read them."""

import os
from pathlib import Path

PRIVATE_MODE = 0o600


def private_file_write(path: str | os.PathLike, content: str | bytes) -> None:
    """Write `content` (text as UTF-8, newlines as given) to `path`, created or truncated with mode 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
    os.fchmod(fd, PRIVATE_MODE)  # a file that was already there keeps its old mode otherwise
    with os.fdopen(fd, "wb") as handle:
        handle.write(content.encode("utf-8") if isinstance(content, str) else content)


def private_directory(path: str | os.PathLike) -> Path:
    """`path` as a directory only its owner may enter, made if it is missing."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path
