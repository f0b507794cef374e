"""The command line, ``sk-seqattn`` (also ``python -m sk_seqattn``).

- :mod:`.commands`: the sub-commands (``fit``, ``predict``, ``demo``) and
  their arguments.
- :mod:`._files`: reading series and sentence pairs from CSV and TSV or
  text files.
- :mod:`.demo`: the demo that the README's first command runs.
"""

from .commands import main

__all__ = ["main"]
