"""Files written whole: model files (``sk_seqattn.save``) and the CLI's ``--output``."""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

__all__ = []


@contextmanager
def replacing(path):
    """Yield a temporary path beside ``path``, moved onto it when the block succeeds.

    An interrupted or failed write leaves whatever ``path`` held as it was,
    and removes the temporary file. The temporary file lies in the same
    folder, so ``os.replace`` is a rename on one file system (atomic).
    """
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")
    os.close(handle)
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
