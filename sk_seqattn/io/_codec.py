"""The typed JSON of model files (:mod:`sk_seqattn.io.persistence`) and its allow-list.

:class:`Encoder` turns an estimator into JSON-ready values, numeric arrays
(saved as safetensors) and net weights; :class:`Decoder` turns them back,
creating nothing but plain values, numpy arrays and scalars, torch devices,
``RandomState``\\ s, HuggingFace tokenizers (from their JSON), objects of the
classes in :data:`ALLOWED` and skorch nets built by their estimator's own
``_build_net`` from the parts in :data:`NET_PARTS`.

Every value that is not a JSON primitive or a list is a JSON object tagged
by ``"type"``: ``tuple``, ``dict`` (its items as pairs, so keys of any
allowed kind), ``ndarray`` (``"key"`` into the arrays, or ``"items"`` for
str and object arrays), ``scalar``, ``device``, ``RandomState``,
``hf_tokenizer``, ``object`` (``"class"`` and ``"state"``, its ``__dict__``)
and ``net`` (``"index"`` into the nets).
"""

import inspect
from functools import cache
from importlib import import_module

import numpy as np
import torch
from sklearn.base import BaseEstimator

from ..training.base import _BaseSeq2SeqAttention
from .._optional import require

__all__ = []

# The classes a model file may create, by public name. Exact classes only:
# a subclass may behave differently and is refused.
ALLOWED = {
    "sk_seqattn": ("Seq2SeqAttentionRegressor", "Seq2SeqAttentionTranslator",
                   "LinearFloorRegressor", "LookbackEnsemble", "SeedEnsemble",
                   "ConformalForecaster", "ThetaWindowRegressor", "ForecastCombination",
                   "CharTokenizer", "WordTokenizer", "BPETokenizer"),
    "sk_seqattn.forecasting.scaling": ("TargetTransform", "WindowScaler"),
    "sklearn.pipeline": ("Pipeline",),
    "sklearn.preprocessing": ("StandardScaler", "MinMaxScaler", "MaxAbsScaler",
                              "RobustScaler"),
    "sklearn.linear_model": ("Ridge", "RidgeCV"),
}
# What the estimators' _build_net receives to build a net.
NET_PARTS = {
    "sk_seqattn.training.net": ("Seq2SeqNet", "TranslationNet", "PinballLoss", "SequenceCrossEntropy",
                       "BucketLoader", "collate_batch", "collate_token_batch"),
    "sk_seqattn.nn": ("Seq2SeqRegressionNetwork", "Seq2SeqTranslationNetwork"),
    "torch.nn": ("MSELoss", "L1Loss", "HuberLoss"),
    "torch.utils.data": ("DataLoader",),
}
_NET_CLASSES = ("sk_seqattn.training.net.Seq2SeqNet", "sk_seqattn.training.net.TranslationNet")
_PRIMITIVES = (bool, int, float, str)
_SCALAR_KINDS = "biufU"  # numpy scalars kept in JSON: bool, int, uint, float, str
_HOLDS = ("None, bool, int, float, str, lists, tuples and dicts of them, numpy arrays and "
          "scalars, torch.device and the estimators of sk_seqattn.io._codec.ALLOWED")


class Corrupt(Exception):
    """What is wrong with a model file's contents, as told to the user."""


@cache
def _registry(names):
    # {"module.Name": object}, imported on first use: sk_seqattn imports this module.
    return {f"{module}.{name}": getattr(import_module(module), name)
            for module, group in names for name in group}


def allowed_classes():
    """``{"module.Name": class}`` of :data:`ALLOWED`."""
    return _registry(tuple(ALLOWED.items()))


def _net_parts():
    return _registry(tuple(NET_PARTS.items()))


class Encoder:
    """Values to JSON, numeric arrays to ``arrays``, nets to ``nets`` and ``weights``."""

    def __init__(self):
        self.classes = {cls: name for name, cls in allowed_classes().items()}
        self.parts = {part: name for name, part in _net_parts().items()}
        self.arrays, self.weights, self.nets = {}, {}, []
        self._net_index = {}  # id(net) -> position: a net is kept once however often held
        self._owner = None  # the estimator whose attributes are being encoded

    def encode(self, value, where):
        """``value`` as JSON-ready data; a ``TypeError`` naming ``where`` if not allowed."""
        kind = type(value)
        if value is None or kind in _PRIMITIVES:
            return value
        if kind is list:
            return [self.encode(item, f"{where}[{i}]") for i, item in enumerate(value)]
        if kind is tuple:
            return {"type": "tuple", "items": self.encode(list(value), where)}
        if kind is dict:
            return {"type": "dict", "items": [
                [self.encode(key, f"{where} key"), self.encode(item, f"{where}[{key!r}]")]
                for key, item in value.items()]}
        if kind is np.ndarray:
            return self._array(value, where)
        if isinstance(value, np.generic) and value.dtype.kind in _SCALAR_KINDS:
            return {"type": "scalar", "dtype": value.dtype.str, "value": value.item()}
        if kind is torch.device:
            return {"type": "device", "value": str(value)}
        if kind is np.random.RandomState:
            return {"type": "RandomState", "state": self.encode(value.get_state(), where)}
        if kind in self.classes:
            return self._object(value, where)
        if self.parts.get(kind) in _NET_CLASSES:
            return self._net(value, where)
        if kind.__module__.split(".")[0] == "tokenizers" and kind.__name__ == "Tokenizer":
            return {"type": "hf_tokenizer", "json": value.to_str()}  # BPETokenizer.bpe_
        what = (f"the class {value.__module__}.{value.__qualname__}" if isinstance(value, type)
                else f"a {kind.__module__}.{kind.__qualname__}")
        raise TypeError(
            f"cannot save {where}: {what} is not among what a model file holds ({_HOLDS}). "
            "Set it to None or a plain value (e.g. callbacks=None, optimizer='adam') before "
            "saving, or pickle the model and unpickle it only where trusted."
        )

    def _array(self, array, where):
        spec = {"type": "ndarray", "dtype": array.dtype.str, "shape": list(array.shape)}
        if array.dtype.kind == "O":  # e.g. a tokenizer's tokens, ragged id arrays
            return {**spec, "items": [self.encode(item, f"{where}[{i}]")
                                      for i, item in enumerate(array.ravel())]}
        if array.dtype.kind == "U":
            return {**spec, "items": array.ravel().tolist()}
        if array.dtype.kind not in "biuf" or array.dtype.itemsize > 8:
            raise TypeError(f"cannot save {where}: numpy arrays of dtype {array.dtype} are "
                            "not supported (bool, int, uint, float, str and object are).")
        key = str(len(self.arrays))
        self.arrays[key] = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("="))
        return {"type": "ndarray", "key": key}

    def _object(self, obj, where):
        params = set(obj.get_params(deep=False))
        owner, self._owner = self._owner, obj
        state = {}
        for key, value in vars(obj).items():
            here = f"{type(obj).__name__} {'parameter' if key in params else 'attribute'} {key!r}"
            state[key] = self.encode(value, f"{where} > {here}" if where else here)
        self._owner = owner
        return {"type": "object", "class": self.classes[type(obj)], "state": state}

    def _net(self, net, where):
        # How the owner's _build_net rebuilds it: the module__/criterion__
        # settings fit derived (net_params' own ones come back from that
        # parameter), and the classes it was given.
        if id(net) not in self._net_index:
            given = set(getattr(self._owner, "net_params", None) or {})
            entry = {"net": self._part(type(net), where)}
            for name, part in (("module", net.module), ("criterion", net.criterion),
                               ("iterator_train", net.iterator_train),
                               ("collate_fn", vars(net).get("iterator_train__collate_fn"))):
                entry[name] = self._part(part, f"{where} {name}")
            for prefix in ("module", "criterion"):
                settings = {key[len(prefix) + 2:]: value for key, value in vars(net).items()
                            if key.startswith(prefix + "__") and key not in given}
                entry[f"{prefix}_params"] = self.encode(settings, f"{where} {prefix} settings")
            index = self._net_index[id(net)] = len(self.nets)
            self.nets.append(entry)
            for key, tensor in net.module_.state_dict().items():
                # A copy on the CPU: safetensors refuses tensors sharing memory.
                self.weights[f"{index}.{key}"] = tensor.detach().to("cpu", copy=True)
        return {"type": "net", "index": self._net_index[id(net)]}

    def _part(self, part, where):
        if part not in self.parts:
            raise TypeError(f"cannot save {where}: the net uses {part!r}, which a model file "
                            "cannot name.")
        return self.parts[part]


class Decoder:
    """The inverse of :class:`Encoder`, creating only allowed values and classes.

    ``device`` (as the caller gave it) and ``target`` (it as a torch.device,
    or None) say where the nets go; ``notes`` collects the warnings to give.
    """

    def __init__(self, nets, arrays, weights, device=None, target=None):
        self.classes, self.parts = allowed_classes(), _net_parts()
        self.net_entries, self.arrays, self.weights = nets, arrays, weights
        self.device, self.target = device, target
        self.notes = []
        self._nets = {}  # position -> rebuilt net

    def decode(self, value, owner=None):
        """The value that ``value`` encodes; ``Corrupt`` (or another error) if it is not one."""
        if value is None or type(value) in _PRIMITIVES:
            return value
        if type(value) is list:
            return [self.decode(item, owner) for item in value]
        tag = value["type"]
        if tag == "tuple":
            return tuple(self.decode(value["items"], owner))
        if tag == "dict":
            return {self.decode(key): self.decode(item, owner) for key, item in value["items"]}
        if tag == "ndarray":
            return self._array(value, owner)
        if tag == "scalar":
            dtype = np.dtype(value["dtype"])
            if dtype.kind not in _SCALAR_KINDS:
                raise Corrupt(f"a scalar of dtype {dtype} is not allowed")
            return dtype.type(value["value"])
        if tag == "device":
            return torch.device(value["value"])
        if tag == "RandomState":
            random_state = np.random.RandomState()
            random_state.set_state(self.decode(value["state"]))
            return random_state
        if tag == "hf_tokenizer":
            return require("tokenizers", "bpe", "BPETokenizer").Tokenizer.from_str(value["json"])
        if tag == "object":
            return self._object(value)
        if tag == "net":
            return self._net(value["index"], owner)
        raise Corrupt(f"unknown entry type {tag!r}")

    def _array(self, value, owner):
        if "key" in value:
            return self.arrays[value["key"]]
        dtype, shape = np.dtype(value["dtype"]), tuple(value["shape"])
        if dtype.kind == "U":
            return np.array(value["items"], dtype=dtype).reshape(shape)
        if dtype.kind != "O":
            raise Corrupt(f"an array of dtype {dtype} is not allowed")
        array = np.empty(len(value["items"]), dtype=object)
        for i, item in enumerate(value["items"]):  # item by item: never a 2-D array
            array[i] = self.decode(item, owner)
        return array.reshape(shape)

    def _object(self, value):
        cls = self.classes.get(value["class"])
        if cls is None:
            raise Corrupt(f"it names the class {value['class']!r}, which is not one a model "
                          "file may hold")
        obj = cls.__new__(cls)
        nets = {}
        for key, item in dict(value["state"]).items():
            if not (isinstance(key, str) and key.isidentifier() and not key.startswith("__")):
                raise Corrupt(f"{key!r} is not an attribute name")
            if _holds_net(item):
                nets[key] = item  # built last, from the other attributes
            else:
                obj.__dict__[key] = self.decode(item, obj)
        _default_missing_parameters(obj)
        if isinstance(obj, _BaseSeq2SeqAttention):
            self._place(obj, fitted=bool(nets))
        for key, item in nets.items():
            obj.__dict__[key] = self.decode(item, obj)
        return obj

    def _place(self, estimator, fitted):
        # The device parameter that _build_net builds the nets for.
        saved = torch.device(estimator.device)
        on_lost_cuda = fitted and saved.type == "cuda" and not torch.cuda.is_available()
        if self.target is None and not on_lost_cuda:
            return
        target = torch.device("cpu") if self.target is None else self.target
        if fitted and saved.type == "cuda" and target.type == "cpu":
            why = "as asked" if self.target is not None else "since torch finds no CUDA device"
            self.notes.append(
                f"This {type(estimator).__name__} was fitted with device="
                f"{estimator.device!r}; it was loaded onto the CPU {why}, and its device "
                "parameter is now 'cpu'."
            )
        estimator.device = "cpu" if self.target is None else self.device

    def _net(self, index, owner):
        if type(index) is not int or not 0 <= index < len(self.net_entries):
            raise Corrupt(f"it refers to a net {index!r} it does not describe")
        if index not in self._nets:
            if not isinstance(owner, _BaseSeq2SeqAttention):
                raise Corrupt("a net belongs to no sk_seqattn estimator")
            entry = self.net_entries[index]
            parts = {}
            for key in ("net", "module", "criterion", "collate_fn", "iterator_train"):
                if entry[key] not in self.parts:
                    raise Corrupt(f"its net is built from {entry[key]!r}, which a model file "
                                  "may not name")
                parts[key] = self.parts[entry[key]]
            net = owner._build_net(
                parts["module"], self.decode(entry["module_params"]), parts["criterion"],
                self.decode(entry["criterion_params"]), net_class=parts["net"],
                collate_fn=parts["collate_fn"], iterator_train=parts["iterator_train"],
            )
            with owner._torch_state():  # initialising draws from a forked RNG
                net.initialize()
            prefix = f"{index}."
            net.module_.load_state_dict({key[len(prefix):]: tensor
                                         for key, tensor in self.weights.items()
                                         if key.startswith(prefix)})
            self._nets[index] = net
        return self._nets[index]


def _holds_net(value):
    if isinstance(value, list):
        return any(_holds_net(item) for item in value)
    if isinstance(value, dict):
        return value.get("type") == "net" or any(_holds_net(item) for item in value.values())
    return False


def _default_missing_parameters(obj):
    # A parameter added after the file was written (e.g. copy_attention,
    # precision) gets its default, which is what that version did.
    if not isinstance(obj, BaseEstimator):
        return
    for name, parameter in inspect.signature(type(obj).__init__).parameters.items():
        if (parameter.kind == parameter.KEYWORD_ONLY and name not in obj.__dict__
                and parameter.default is not parameter.empty):
            obj.__dict__[name] = parameter.default
