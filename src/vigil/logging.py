"""Logging that never writes personal data.

Vigil's own log messages name only opaque identifiers. Exceptions are the risk: their messages and
tracebacks can carry whatever input caused them. `RedactPersonalData` replaces an exception with its
type and the places it passed through, and never its message or local values.
"""

import logging
import traceback
from pathlib import Path


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            exc_type, _, tb = record.exc_info
            frames = traceback.extract_tb(tb)[-6:]
            where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))
            name = exc_type.__name__ if exc_type else "Exception"
            record.msg = f"{record.getMessage()} [{name} at {where}; exception message withheld]"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        record.stack_info = None
        return True
