"""What the sequence-to-sequence estimators share.

The estimators are plain scikit-learn estimators that own a skorch net
(``net_``, a :class:`~sk_seqattn.training.net.Seq2SeqNet`) built in ``fit``, rather
than subclasses of ``NeuralNet``: ``NeuralNet.__init__`` sets attributes and
leaks ``_params_to_validate`` into ``get_params``, which breaks sklearn's
estimator checks from any subclass. skorch's features stay reachable: the
``callbacks``, ``device``, ``history_`` (the net's history) and any
skorch-prefixed setting (``optimizer__weight_decay``, ``iterator_train__...``,
``callbacks__<name>__...``), which ``set_params`` and ``GridSearchCV`` accept
directly and which are kept in ``net_params``.
"""

import copy
import inspect
import re
import sys
import threading
import warnings
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import torch
from skorch.callbacks import GradientNormClipping, LRScheduler, ProgressBar
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, \
    validate_parameter_constraints
from sklearn.utils.validation import check_is_fitted

from .precision import PRECISIONS, resolve_precision
from .net import BatchDataset, Seq2SeqNet, TailSplit, collate_batch

__all__ = []

SKORCH_PREFIXES = (
    "module__", "optimizer__", "criterion__", "iterator_train__",
    "iterator_valid__", "callbacks__", "dataset__",
)

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}

ATTENTION_OPTIONS = {"dot", "general", "concat", "location", "none"}

ALIGNMENT_OPTIONS = {"global", "local-m", "local-p"}

# The defaults of the settings the translator takes as parameters and the
# regressor does not (there, the module's arguments are net_params keys,
# module__local_width and so on, as in skorch).
_SETTING_DEFAULTS = {"local_width": 10, "bidirectional": False, "teacher_forcing": 1.0,
                     "max_grad_norm": 5.0, "lr_schedule": "constant", "n_threads": None}
_MODULE_SETTINGS = ("local_width", "bidirectional", "teacher_forcing")


def parameter_docs(template, names, more=None):
    """The paragraphs of a numpydoc ``Parameters`` ``template`` that document ``names``, in
    order; ``more`` maps a name to lines appended to its paragraph (8-space indented)."""
    paragraphs, name = {}, None
    for line in template.splitlines(keepends=True):
        match = re.match(r"    (\w+) : ", line)
        if match:
            name = match.group(1)
        paragraphs[name] = paragraphs.get(name, "") + line
    for name, lines in (more or {}).items():
        paragraphs[name] = paragraphs[name].rstrip("\n") + "\n" + lines + "\n\n"
    return "".join(paragraphs[name] for name in names).rstrip("\n") + "\n"


NETWORK_PARAMS_DOC = """\
    attention : {{"dot", "general", "concat", "location", "none"}}, default="dot"
        Luong's attention score function; "none" is the plain
        encoder-decoder (no context vector).

    alignment : {{"global", "local-m", "local-p"}}, default="global"
        Where the decoder looks (Luong et al.'s section 3.2). "global": at
        every source step. "local-m": at the window ``[t - local_width, t +
        local_width]`` around its own (0-based) step ``t``, clipped to the
        source (a step past the source's end plus ``local_width`` gets a
        zero context). "local-p": at the window around a predicted position
        ``p_t = S * sigmoid(v_p . tanh(W_p h_t))`` in ``[0, S)`` (``S`` the
        source's true length), the window's weights multiplied by a
        Gaussian of ``sigma = local_width / 2`` centred on ``p_t`` and, as
        in the paper, not renormalised (they sum to less than 1). Weights
        outside the window are exactly 0. Works with "dot", "general" and
        "concat"; "location" with a local alignment is a ``ValueError`` at
        ``fit`` (it scores absolute positions from ``h_t`` alone, which the
        paper does not combine with a window). Ignored for attention "none".

    local_width : int, default=10
        The local window's half-width ``D`` (10 in the paper); at least 1
        for "local-p". Ignored for ``alignment="global"``.

    hidden_size : int, default={hidden_size}
        Width of the RNN states (both directions together when
        ``bidirectional``, which then needs an even size).

    num_layers : int, default=1
        Stacked RNN layers in the encoder and in the decoder.

    cell : {{"lstm", "gru"}}, default="lstm"

    bidirectional : bool, default=False
        Bidirectional encoder; the decoder starts from the two directions'
        final states concatenated.

    dropout : float in [0, 1), default=0.0
        Between RNN layers and on the attentional state before the output.

    input_feeding : bool, default={input_feeding}
        Feed the previous attentional state ``~h_{{t-1}}`` to the decoder
        (Luong's input feeding). Without it a teacher-forced decoder runs
        over the whole target in one RNN call, which trains faster.

    teacher_forcing : float in [0, 1], default=1.0
        Probability of feeding the true previous target (rather than the
        network's own prediction) at each training step; below 1 this is
        scheduled sampling and uses the step loop.
"""

TRAINING_PARAMS_DOC = """\
    max_epochs : int, default={max_epochs}

    batch_size : int, default={batch_size}

    lr : float, default={lr}
        Learning rate.

    lr_schedule : {{"constant", "cosine"}}, default="constant"
        "cosine": the learning rate falls from ``lr`` to 0 along a half
        cosine over ``max_epochs`` (skorch's ``LRScheduler`` with
        ``CosineAnnealingLR``, stepped each epoch), so the last epochs take
        small steps: the fitted network then depends less on where the
        last batches happened to leave it, and seeds agree more.

    optimizer : {{"adam", "adamw", "sgd", "rmsprop"}} or torch optimizer class, \
default="adam"
        Its other settings are skorch-prefixed parameters, e.g.
        ``set_params(optimizer__weight_decay=1e-4)``.

    max_grad_norm : float or None, default=5.0
        Clip the gradient norm (skorch ``GradientNormClipping``), as in
        Luong et al.; None disables it.

    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Added to skorch's defaults, e.g. ``EarlyStopping`` (needs
        ``validation_fraction``) or ``Checkpoint``.

    validation_fraction : float in (0, 1) or None, default=None
        Hold out the LAST fraction of the samples, in their given order, as
        the validation set (never shuffled: a time-ordered tail for
        forecasting windows). Its loss is computed free-running, without
        teacher forcing.

    device : str or torch.device, default="cpu"
        Where the network lives, e.g. "cuda".

    precision : {{"fp32", "bf16"}}, default="fp32"
        "bf16": the forward passes of training (and of the forecaster's
        predictions) under bf16 autocast, on CPUs with bf16 units
        (AVX512_BF16 or AMX) and on GPUs with bf16; the attention softmax,
        the loss and the outputs stay fp32. Where the device has no bf16
        units, ``fit`` warns and runs in fp32.

    n_threads : int or None, default=None
        torch intra-op threads during ``fit`` and ``predict`` (restored
        afterwards). None keeps torch's setting, which honours
        ``OMP_NUM_THREADS``; joblib sets that to ``cores // n_jobs`` in its
        workers, so ``GridSearchCV(n_jobs=k)`` does not oversubscribe.

    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, shuffling, dropout and scheduled sampling,
        inside a forked torch RNG: the global torch RNG is left untouched.
        torch's RNG and thread count are global to the process (dropout
        cannot draw from a private generator), so the estimators of one
        process fit and predict one at a time: fits run in threads (joblib's
        threading backend, dask workers with several threads) give the same
        models as run one after another, without running in parallel. Use
        processes (joblib's default backend) for parallel fits.

    verbose : int, default=0
        0: silent (also under ``GridSearchCV``); 1: skorch's per-epoch table
        of train/valid loss; 2: also a progress bar over the batches (tqdm),
        in a terminal or notebook.

    net_params : dict or None, default=None
        Further skorch-prefixed settings for the net (``optimizer__``,
        ``iterator_train__``, ``callbacks__``, ...). ``set_params`` and
        ``GridSearchCV`` accept such keys directly and store them here.
"""

FITTED_NET_DOC = """\
    net_ : sk_seqattn.training.net.Seq2SeqNet
        The trained skorch net.

    history_ : skorch.History
        The net's training history (``net_.history``).

    n_threads_ : int
        torch threads used by ``fit``.

    precision_ : {"fp32", "bf16"}
        The precision ``fit`` ran in.
"""


class _BaseSeq2SeqAttention(BaseEstimator):
    """Parameters, net construction and torch state shared by the estimators."""

    _parameter_constraints = {
        "attention": [StrOptions(ATTENTION_OPTIONS)],
        "alignment": [StrOptions(ALIGNMENT_OPTIONS)],
        "local_width": [Interval(Integral, 0, None, closed="left")],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "cell": [StrOptions({"lstm", "gru"})],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "input_feeding": ["boolean"],
        "teacher_forcing": [Interval(Real, 0, 1, closed="both")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "lr_schedule": [StrOptions({"constant", "cosine"})],
        "optimizer": [StrOptions(set(OPTIMIZERS)), callable],
        "max_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "callbacks": [list, None],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "device": [str, torch.device],
        "precision": [StrOptions(set(PRECISIONS))],
        "n_threads": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "net_params": [dict, None],
    }

    # -- skorch-prefixed parameters ---------------------------------------
    def set_params(self, **params):
        """Set parameters; skorch-prefixed keys go into ``net_params``.

        ``set_params(optimizer__weight_decay=1e-4)`` (also as a
        ``GridSearchCV`` grid key) is stored as
        ``net_params={"optimizer__weight_decay": 1e-4}``.
        """
        prefixed = {k: params.pop(k) for k in list(params) if k.startswith(SKORCH_PREFIXES)}
        if prefixed:
            net_params = dict(params.pop("net_params", self.net_params) or {})
            net_params.update(prefixed)
            params["net_params"] = net_params
        return super().set_params(**params)

    def __setstate__(self, state):
        super().__setstate__(state)
        # skorch has already mapped the nets' weights to the CPU.
        if ("net_" in self.__dict__ and torch.device(self.device).type == "cuda"
                and not torch.cuda.is_available()):
            warnings.warn(
                f"This {type(self).__name__} was fitted with device={self.device!r}, but "
                "torch finds no CUDA device here: it predicts on the CPU. Refitting needs "
                "device='cpu'.", UserWarning, stacklevel=2,
            )

    def _setting(self, name):
        """A network or training setting: the estimator's parameter where it has one;
        else (the regressor) its ``net_params`` ``module__`` key or the default."""
        if name in self._parameter_constraints:
            return getattr(self, name)
        return dict(self.net_params or {}).get(f"module__{name}", _SETTING_DEFAULTS[name])

    def _check_network_params(self):
        """The checks of the network parameters that involve several of them, for ``fit``,
        and of the module settings the estimator takes as ``module__`` keys."""
        moved = {f"module__{name}": self._setting(name) for name in _MODULE_SETTINGS
                 if name not in self._parameter_constraints}
        validate_parameter_constraints(
            {key: _BaseSeq2SeqAttention._parameter_constraints[key[len("module__"):]]
             for key in moved}, moved, caller_name=type(self).__name__)
        if self._setting("bidirectional") and self.hidden_size % 2:
            raise ValueError(
                f"hidden_size must be even with bidirectional=True, got {self.hidden_size}."
            )
        if self.alignment == "global" or self.attention == "none":
            return
        if self.attention == "location":
            raise ValueError(
                f"attention='location' cannot be combined with alignment="
                f"{self.alignment!r}: the location score is a function of h_t over absolute "
                "source positions, which Luong et al. do not combine with a local window. "
                "Use attention='dot', 'general' or 'concat', or alignment='global'."
            )
        if self.alignment == "local-p" and self._setting("local_width") < 1:
            raise ValueError(
                "alignment='local-p' needs local_width >= 1: its Gaussian has sigma = "
                f"local_width / 2; got local_width={self._setting('local_width')}."
            )

    def __sklearn_is_fitted__(self):
        # Fitted once fit has trained its net: fit sets other attributes
        # first, and an interrupted fit must not leave the estimator
        # looking fitted.
        return hasattr(self, "net_")

    def _forget_fit(self):
        """Drop the trained net, so that the estimator is unfitted until fit completes."""
        self.__dict__.pop("net_", None)

    @property
    def history_(self):
        """The skorch training history of ``net_``."""
        check_is_fitted(self, "net_")
        if self.net_ is None:  # the regressor's composite: a net per member
            raise AttributeError(
                f"This {type(self).__name__} is a composite of several networks "
                "(ensemble_), each with its own history: see the members' history_ "
                "(e.g. ensemble_.named_estimators_['networks'].estimators_[0].history_).")
        return self.net_.history

    # -- building and running the net --------------------------------------
    def _build_net(self, module, module_params, criterion, criterion_params=None,
                   net_class=Seq2SeqNet, collate_fn=collate_batch, iterator_train=None):
        """A fresh skorch net (``net_class``) from the estimator's parameters."""
        device = torch.device(self.device)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(
                f"device={self.device!r} was asked for, but torch finds no CUDA device."
            )
        callbacks = copy.deepcopy(list(self.callbacks or [])) + self._own_callbacks()
        if self._setting("max_grad_norm") is not None:
            callbacks.append(("gradient_clipping", GradientNormClipping(
                gradient_clip_value=self._setting("max_grad_norm"))))
        if self.verbose >= 2 and _can_draw_progress_bar():
            callbacks.append(("progress_bar", ProgressBar(postfix_keys=["train_loss", "valid_loss"])))
        optimizer = OPTIMIZERS.get(self.optimizer, self.optimizer)
        kwargs = {
            "module": module,
            "criterion": criterion,
            "optimizer": optimizer,
            "lr": self._training_value("lr"),
            "max_epochs": self._training_value("max_epochs"),
            "batch_size": self._training_value("batch_size"),
            "train_split": self._train_split(),
            "callbacks": callbacks,
            "device": self.device,
            "precision": self._precision(),
            "verbose": self.verbose,
            "dataset": BatchDataset,
            "iterator_train__shuffle": True,
            "iterator_train__collate_fn": collate_fn,
            "iterator_valid__collate_fn": collate_fn,
        }
        if iterator_train is not None:
            kwargs["iterator_train"] = iterator_train
        if not self.verbose:
            # skorch's PrintLog formats a table every epoch even when silent.
            kwargs["callbacks__print_log"] = None
        else:
            kwargs["callbacks__print_log__sink"] = print_log_line
        kwargs.update({f"module__{k}": v for k, v in module_params.items()})
        kwargs.update({f"criterion__{k}": v for k, v in (criterion_params or {}).items()})
        kwargs.update(self._checked_net_params(module, module_params))
        return net_class(**kwargs)

    def _precision(self):
        """"bf16" where asked for and the device has bf16 units (a warning otherwise), else "fp32"."""
        precision = getattr(self, "precision", "fp32")  # estimators pickled before it: fp32
        return resolve_precision(precision, self.device, type(self).__name__)

    def _training_value(self, name):
        """``max_epochs``, ``batch_size`` or ``lr`` as ``fit`` resolved it (``<name>_``,
        set before the net is built, where the estimator has "auto"), else the parameter."""
        return getattr(self, f"{name}_", getattr(self, name))

    def _own_callbacks(self):
        """(name, callback) pairs that the estimator's own parameters add."""
        if self._setting("lr_schedule") == "cosine":
            return [("lr_schedule", LRScheduler(
                torch.optim.lr_scheduler.CosineAnnealingLR,
                T_max=self._training_value("max_epochs"),
            ))]
        return []

    def _train_split(self):
        """skorch ``train_split``: the time-ordered tail, or None."""
        if self.validation_fraction is None:
            return None
        return TailSplit(self.validation_fraction)

    def _checked_net_params(self, module, module_params):
        net_params = copy.deepcopy(dict(self.net_params or {}))
        module_args = set(inspect.signature(module).parameters)
        for key in net_params:
            if not key.startswith(SKORCH_PREFIXES):
                raise ValueError(
                    f"net_params key {key!r} is not a skorch-prefixed setting; "
                    f"expected one of the prefixes {SKORCH_PREFIXES}."
                )
            if key.startswith("module__"):
                name = key[len("module__"):]
                if name in module_params:
                    raise ValueError(
                        f"net_params key {key!r} is set by the estimator from its "
                        f"own parameters; set it there instead."
                    )
                if name not in module_args:
                    raise ValueError(
                        f"net_params key {key!r}: {module.__name__} has no "
                        f"argument {name!r}."
                    )
        return net_params

    def _resolve_n_threads(self):
        n_threads = self._setting("n_threads")
        return torch.get_num_threads() if n_threads is None else n_threads

    @contextmanager
    def _torch_state(self, seed=None):
        """torch threads set to ``n_threads``, denormals flushed, in a forked RNG.

        The RNG is forked even without a seed: every DataLoader iteration
        (predict included) draws from the global RNG. Denormal floats are
        flushed to zero because CPUs compute them very slowly, and the tiny
        gradients of long sequences produce them. Everything is restored on exit, so the
        caller's global torch state is left as it was.
        """
        with _TORCH_STATE_LOCK:
            with self._torch_state_unlocked(seed) as n_threads:
                yield n_threads

    @contextmanager
    def _torch_state_unlocked(self, seed):
        previous_threads = torch.get_num_threads()
        previous_flush = _flushing_denormals()
        n_threads = self._resolve_n_threads()
        device = torch.device(self.device)
        # A model fitted on CUDA and unpickled where there is none runs on
        # the CPU (skorch moves its nets): no CUDA RNG state to fork there.
        on_cuda = device.type == "cuda" and torch.cuda.is_available()
        fork_devices = [device.index or 0] if on_cuda else []
        if n_threads != previous_threads:
            torch.set_num_threads(n_threads)
        torch.set_flush_denormal(True)
        try:
            with torch.random.fork_rng(devices=fork_devices):
                if seed is not None:
                    torch.manual_seed(seed)
                yield n_threads
        finally:
            torch.set_flush_denormal(previous_flush)
            if torch.get_num_threads() != previous_threads:
                torch.set_num_threads(previous_threads)

    def _fit_net(self, net, X, y, seed=None):
        """Fit ``net`` on prepared arrays, seeded by ``seed`` (default: from ``random_state``)."""
        if seed is None:
            seed = self._seeds(1)[0]
        with self._torch_state(seed) as n_threads:
            net.fit(_as_tensors(X), _as_tensors(y))
        self.n_threads_ = n_threads
        self.precision_ = net.precision
        return net

    def _seeds(self, n):
        """``n`` torch seeds drawn from ``random_state``."""
        rng = check_random_state(self.random_state)
        return [int(seed) for seed in rng.randint(np.iinfo(np.int32).max, size=n)]

    def _forward(self, X, net=None, outputs=None):
        """Evaluation-mode outputs of ``net`` (default ``net_``), concatenated over batches.

        Parameters
        ----------
        outputs : list of int or None
            Keep only these module outputs (the others are dropped batch by
            batch, so that they never accumulate); None keeps all.

        Returns
        -------
        outputs : tuple of numpy arrays, one per kept module output
        """
        net = self.net_ if net is None else net
        with self._torch_state():
            batches = [
                tuple(part.numpy() for position, part in enumerate(batch)
                      if outputs is None or position in outputs)
                for batch in net.forward_iter(_as_tensors(X), training=False)
            ]
        return tuple(np.concatenate(parts, axis=0) for parts in zip(*batches))


# Held while an estimator sets torch's global state (threads, denormals,
# RNG) and trains or predicts under it; re-entrant, as fit may predict.
_TORCH_STATE_LOCK = threading.RLock()

_ANSI_CODES = re.compile(r"\x1b\[[0-9;]*m")


def print_log_line(text):
    """skorch's ``PrintLog`` sink: colours on a terminal, plain text in a file or pipe."""
    stream = sys.stdout
    if stream is None or not stream.isatty():
        text = _ANSI_CODES.sub("", text)
    print(text, flush=True)


def _as_tensors(data):
    # skorch indexes tensors per sample without the numpy -> tensor
    # conversion its collate would otherwise do for every row of every batch.
    if isinstance(data, dict):
        return {key: _as_tensors(value) for key, value in data.items()}
    return torch.from_numpy(data) if isinstance(data, np.ndarray) else data


def _flushing_denormals():
    # torch has no getter: a denormal survives an operation unless flushed.
    return bool((torch.tensor([1e-40], dtype=torch.float32) * 1.0).item() == 0.0)


def _can_draw_progress_bar():
    # A terminal or a Jupyter kernel redraws the bar in place; anywhere else
    # (log files, CI) every refresh would become a line of noise.
    stderr = sys.stderr
    return bool(stderr is not None and stderr.isatty()) or "ipykernel" in sys.modules
