"""Model files that hold data only: :func:`save` and :func:`load` without pickle.

Unpickling a file (``pickle``, ``joblib.load``, ``torch.load`` without
``weights_only``) runs whatever code its author put in it. A model file of
this module is a zip archive of three members that are read as data:

- ``model.json``: the format name and version, the versions of sk_seqattn,
  torch, skorch, scikit-learn and numpy that wrote it, the estimator as
  typed JSON (its class by name, its constructor parameters and fitted
  attributes), how each skorch net is built (module, criterion, net class
  by name, and their parameters) and the caller's ``extra``.
- ``arrays.safetensors``: the numeric numpy arrays of the fitted state.
- ``weights.safetensors``: each net's module ``state_dict``, its keys
  prefixed with the net's position in ``model.json``'s ``"nets"``.

Loading creates only the values listed in :func:`save` and objects of an
explicit allow-list of sk_seqattn and scikit-learn classes
(``sk_seqattn.io._codec.ALLOWED``: ``cls.__new__``, then their attributes).
skorch nets are rebuilt with the estimator's own ``_build_net`` and get
their weights back; their training history and optimizer state are not
kept.
"""

import json
import re
import warnings
import zipfile

import numpy as np
import torch
from safetensors.numpy import load as _load_arrays, save as _save_arrays
from safetensors.torch import load as _load_tensors, save as _save_tensors

from ..training.distributed import world
from ._codec import Corrupt, Decoder, Encoder, allowed_classes
from ._files import replacing

__all__ = ["save", "load"]

FORMAT = "sk_seqattn model"
# The one place where compatibility is decided: a file of another format
# version is refused with both versions named. Version 2: the regressor
# built from parts (its scaler, target transform and floor are objects);
# version 3: its "auto" settings, and a composite (ensemble_) where it has one.
FORMAT_VERSION = 3
_MEMBERS = ("model.json", "arrays.safetensors", "weights.safetensors")


def save(estimator, path, *, extra=None):
    """Write a (fitted or not) estimator to ``path`` as a model file that loads without pickle.

    The file is written to a temporary file in the same folder and moved
    onto ``path`` once complete: a failed or interrupted save leaves what
    ``path`` held before. The training history is not saved. In a
    ``torch.distributed`` process group (a fit across processes, see
    :func:`~sk_seqattn.init_distributed`), only process 0 writes; on the
    others ``save`` returns without writing.

    Parameters
    ----------
    estimator : Seq2SeqAttentionRegressor, Seq2SeqAttentionTranslator, \
tokenizer, or a Pipeline of them and scikit-learn scalers
    path : str or path-like
        Any file name; ``.skm`` is the convention.
    extra : dict or None, default=None
        Data of the same kinds to keep beside the estimator (the command
        line keeps its task and column options there); see ``load``'s
        ``return_extra``.

    Raises
    ------
    TypeError
        When a parameter or fitted attribute is none of: None, bool, int,
        float, str, lists, tuples and dicts of them, numpy arrays and
        scalars, torch.device, and the allowed estimators. The message names
        it, e.g. a ``callbacks`` list of skorch callbacks or an optimizer
        class: set such a parameter to None (or to a name, ``"adam"``)
        before saving. Nothing is written then.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from sk_seqattn import Seq2SeqAttentionRegressor, make_windows, save, load
    >>> X, y = make_windows(np.sin(np.arange(40) / 3), n_in=6, n_out=2)
    >>> model = Seq2SeqAttentionRegressor(hidden_size=4, max_epochs=1,
    ...                                   random_state=0).fit(X, y)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     save(model, os.path.join(folder, "model.skm"))
    ...     restored = load(os.path.join(folder, "model.skm"))
    >>> bool((restored.predict(X) == model.predict(X)).all())
    True
    """
    encoder = Encoder()
    if type(estimator) not in encoder.classes:
        names = ", ".join(name.rsplit(".", 1)[1] for name in allowed_classes())
        raise TypeError(f"estimator must be one of the classes a model file holds ({names}); "
                        f"got {type(estimator).__name__}.")
    if world()[0] != 0:
        return  # one writer: process 0 holds the same weights
    document = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "versions": _versions(),
        "estimator": encoder.encode(estimator, ""), "extra": encoder.encode(extra, "extra"),
        "nets": encoder.nets,
    }
    members = {
        "model.json": json.dumps(document).encode("utf-8"),
        "arrays.safetensors": _save_arrays(encoder.arrays),
        "weights.safetensors": _save_tensors(encoder.weights),
    }
    with replacing(path) as temporary, zipfile.ZipFile(temporary, "w") as archive:
        for name, data in members.items():
            deflate = name.endswith(".json")  # weights hardly compress
            archive.writestr(name, data, zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED)


def load(path, device=None, *, return_extra=False):
    """Read an estimator written by :func:`save`; no code from the file runs.

    After loading, ``predict``, ``predict_quantiles``, ``attention_weights``
    and ``score`` give the results the saved estimator gave. ``history_``
    is empty: the training history is not saved.

    Parameters
    ----------
    path : str or path-like
    device : str, torch.device or None, default=None
        Where the networks go, which also becomes the estimators' ``device``
        parameter. None: where they were fitted, or the CPU (with a
        ``UserWarning``) when that was CUDA and torch finds none here. A
        CUDA-fitted model loaded with ``device="cpu"`` warns too.
    return_extra : bool, default=False
        Also return the ``extra`` given to :func:`save`.

    Returns
    -------
    estimator : the saved estimator
    extra : dict or None
        Only with ``return_extra=True``.

    Raises
    ------
    ValueError
        If the file is not a sk_seqattn model file (a pickle or joblib file,
        a truncated or damaged archive, unknown or missing entries, a class
        outside the allow-list), or was written in a newer format version.

    Warns
    -----
    UserWarning
        When the file was written by another sk_seqattn version, or another
        major.minor version of torch or scikit-learn.
    """
    target = _check_device(device)
    document, arrays, weights = _read(path)
    for note in _version_notes(document, path):
        warnings.warn(note, UserWarning, stacklevel=2)
    try:
        decoder = Decoder(document["nets"], arrays, weights, device, target)
        estimator = decoder.decode(document["estimator"])
        extra = decoder.decode(document.get("extra"))
    except (Warning, ImportError):
        raise
    except Exception as exc:  # whatever a crafted or damaged file trips over
        raise _NotAModelFile(path, _reason(exc)) from None
    for note in decoder.notes:
        warnings.warn(note, UserWarning, stacklevel=2)
    return (estimator, extra) if return_extra else estimator


class _NotAModelFile(ValueError):
    """The file at ``path`` is not a sk_seqattn model file, for ``reason``."""

    def __init__(self, path, reason):
        self.reason = reason
        super().__init__(f"{path}: not a sk_seqattn model file ({reason}).")


def _versions():
    import sklearn
    import skorch

    from .. import __version__

    return {"sk_seqattn": __version__, "torch": str(torch.__version__),
            "skorch": skorch.__version__, "scikit-learn": sklearn.__version__,
            "numpy": np.__version__}


def _read(path):
    """``model.json``, the arrays and the weights of the archive at ``path``."""
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head != b"PK\x03\x04":
        raise _NotAModelFile(path, _not_a_zip(head))
    try:
        with zipfile.ZipFile(path) as archive:
            missing = [name for name in _MEMBERS if name not in archive.namelist()]
            if missing:
                raise Corrupt(f"the zip archive has no {missing[0]}")
            document = json.loads(archive.read("model.json"))
            if not isinstance(document, dict) or document.get("format") != FORMAT:
                raise Corrupt(f"its model.json does not describe a {FORMAT}")
            arrays = _load_arrays(archive.read("arrays.safetensors"))
            weights = _load_tensors(archive.read("weights.safetensors"))
    except Exception as exc:
        raise _NotAModelFile(path, _reason(exc)) from None
    version = document.get("format_version")
    if type(version) is not int or version < 1:
        raise _NotAModelFile(path, f"its format version {version!r} is not a valid one")
    if version != FORMAT_VERSION:
        advice = ("upgrade sk_seqattn to load it" if version > FORMAT_VERSION else
                  "refit the model with this version, or load the file with the sk_seqattn "
                  "that wrote it")
        raise ValueError(
            f"{path} is a model file of format version {version}, but this sk_seqattn "
            f"({_versions()['sk_seqattn']}) reads format version {FORMAT_VERSION} only; "
            f"{advice}."
        )
    return document, arrays, weights


def _not_a_zip(head):
    if not head:
        return "the file is empty"
    if head[:1] == b"\x80":  # pickle protocols 2 and up
        return ("it is a pickle, e.g. a joblib file of an older sk-seqattn; model files are "
                "never unpickled, since unpickling runs code from the file. If you trust "
                "it, joblib.load it and write it again with sk_seqattn.save")
    return "it is not a zip archive"


def _reason(exc):
    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if isinstance(exc, Corrupt):
        return first_line
    if isinstance(exc, KeyError):
        return f"an entry is missing: {first_line}"
    if isinstance(exc, zipfile.BadZipFile | EOFError) or "zlib" in type(exc).__module__:
        return f"a damaged or truncated archive: {first_line}"
    if isinstance(exc, json.JSONDecodeError):
        return f"its model.json is not valid JSON: {first_line}"
    return f"inconsistent contents: {type(exc).__name__}: {first_line}"


def _version_notes(document, path):
    # sk_seqattn must match exactly; torch and scikit-learn by major.minor.
    saved, now = document.get("versions"), _versions()
    saved = saved if isinstance(saved, dict) else {}
    notes = []
    for name, parts in (("sk_seqattn", None), ("torch", 2), ("scikit-learn", 2)):
        then = str(saved.get(name))
        if (then != now[name] if parts is None
                else re.findall(r"\d+", then)[:parts] != re.findall(r"\d+", now[name])[:parts]):
            notes.append(f"{path} was saved with {name} {then} and is loaded with {name} "
                         f"{now[name]}; check its predictions, then save it again.")
    return notes


def _check_device(device):
    if device is None:
        return None
    try:
        target = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"device={device!r} is not a torch device, e.g. 'cpu' or 'cuda'.") \
            from None
    if target.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} was asked for, but torch finds no CUDA device.")
    return target
