"""Model files: :func:`save` and :func:`load` without pickle.

- :mod:`.persistence`: the file format (a zip of JSON and safetensors) and
  its version, the one place where compatibility between versions is
  decided.
- :mod:`._codec`: the typed JSON of an estimator and the allow-list of
  classes a file may create.
"""

from .persistence import load, save

__all__ = ["load", "save"]
