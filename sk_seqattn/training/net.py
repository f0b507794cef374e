"""The skorch layer: a :class:`skorch.NeuralNet` for sequence-to-sequence modules.

Modules return ``(prediction, attention_weights)`` and accept the truth as a
``target=`` keyword for teacher forcing. skorch's training step is kept
(optimizer closure, ``on_grad_computed``, ``GradientNormClipping``); only
``train_step_single`` differs: it hands the batch's target to the module.
Validation calls the module without a target, so the validation loss is the
free-running one that predictions will have, not the teacher-forced one,
which would hide exposure bias from early stopping. With ``precision="bf16"``
every forward pass (``infer``) runs under bf16 autocast and the loss in fp32
(:mod:`sk_seqattn.training.precision`).
"""

import math
import signal
import threading
from contextlib import contextmanager

import numpy as np
import torch
from skorch import NeuralNet
from skorch.dataset import Dataset, unpack_data
from skorch.utils import to_tensor
from torch.utils.data import DataLoader, Sampler

from ..nn._amp import at_least_fp32
from .precision import PRECISIONS, autocast

__all__ = [
    "Seq2SeqNet", "TranslationNet", "SequenceCrossEntropy", "PinballLoss", "TailSplit",
    "BatchDataset",
    "BucketBatchSampler", "BucketLoader", "collate_batch", "collate_token_batch",
]


class _Interrupted(BaseException):
    """A KeyboardInterrupt carried past skorch's ``partial_fit``, which swallows those."""


@contextmanager
def _watching_sigint():
    """Yield a function telling whether SIGINT (Ctrl-C) arrived in the block.

    skorch's ``EarlyStopping`` stops training by raising ``KeyboardInterrupt``
    too; only the signal tells a user's Ctrl-C apart. The handler in place
    still runs (Python's raises ``KeyboardInterrupt``). Signal handlers can
    only be set from the main thread; elsewhere no Ctrl-C arrives anyway.
    """
    pressed = []
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum, frame):
        pressed.append(True)
        if callable(previous):
            previous(signum, frame)
        elif previous != signal.SIG_IGN:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)
    try:
        yield lambda: bool(pressed)
    finally:
        signal.signal(signal.SIGINT, previous)


class Seq2SeqNet(NeuralNet):
    """:class:`skorch.NeuralNet` that teacher-forces in training only.

    Ctrl-C (SIGINT) during ``fit`` raises ``KeyboardInterrupt``, unlike in
    skorch, which ends training quietly and returns a half-trained net that
    looks fitted (a script would save it, a sequential ``GridSearchCV``
    would score it and go on). ``EarlyStopping`` still ends training
    quietly.

    Parameters are those of :class:`skorch.NeuralNet`, and:

    precision : {"fp32", "bf16"}, default="fp32"
        "bf16": forward passes under bf16 autocast. The estimators pass
        "bf16" only where the device has bf16 units.
    """

    def __init__(self, *args, precision="fp32", **kwargs):
        super().__init__(*args, **kwargs)
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}; got {precision!r}.")
        self.precision = precision

    def infer(self, x, **fit_params):
        # getattr: a net pickled before precision existed runs in fp32.
        with autocast(getattr(self, "precision", "fp32"), self.device):
            return super().infer(x, **fit_params)

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        with _watching_sigint() as pressed:
            try:
                return super().fit_loop(X, y, epochs=epochs, **fit_params)
            except KeyboardInterrupt as exc:
                if pressed():
                    raise _Interrupted() from exc
                raise  # EarlyStopping's: skorch's partial_fit ends training

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        try:
            return super().partial_fit(X, y, classes=classes, **fit_params)
        except _Interrupted:
            raise KeyboardInterrupt from None

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        Xi, yi = unpack_data(batch)
        y_pred = self.infer(Xi, target=to_tensor(yi, device=self.device), **fit_params)
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        if not torch.isfinite(loss):
            # Stop before backward() spreads the NaN into the weights.
            # skorch has already opened this epoch's and batch's history rows.
            epoch, batch_number = len(self.history), len(self.history[-1]["batches"])
            raise ValueError(
                f"The training loss became {loss.item()} at epoch {epoch}, "
                f"batch {batch_number}. Lower `lr`, set `max_grad_norm`, or "
                "scale the data (e.g. normalize='window')."
            )
        loss.backward()
        return {"loss": loss, "y_pred": y_pred}

    def get_loss(self, y_pred, y_true, X=None, training=False):
        # The module returns (prediction, attention weights); the loss
        # only sees the prediction.
        prediction = y_pred[0] if isinstance(y_pred, tuple) else y_pred
        # The loss in fp32, whatever precision the forward pass ran in.
        return super().get_loss(at_least_fp32(prediction), y_true, X=X, training=training)


class SequenceCrossEntropy(torch.nn.Module):
    """Cross-entropy of a batch of target sequences, padding ignored.

    Parameters
    ----------
    normalization : {"sentences", "tokens"}, default="sentences"
        "sentences": summed over the target tokens and divided by the
        number of sequences, as Luong et al. and OpenNMT-py (its default
        ``normalization=sents``) train. The gradient then grows with the
        target length, and a gradient-norm clip of 5 acts as it does
        there. "tokens": the mean over the non-padding tokens; its
        gradients are smaller by the mean target length, so the same clip
        acts far less often.
    ignore_index : int, default=0
        The padding id.
    """

    def __init__(self, normalization="sentences", ignore_index=0):
        super().__init__()
        self.normalization = normalization
        self.ignore_index = ignore_index

    def forward(self, logits, target):
        """
        Parameters
        ----------
        logits : Tensor of shape (batch, tgt_len, vocab)
        target : LongTensor of shape (batch, tgt_len)
        """
        total = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.size(-1)), target.reshape(-1),
            ignore_index=self.ignore_index, reduction="sum",
        )
        if self.normalization == "sentences":
            return total / target.size(0)
        return total / (target != self.ignore_index).sum().clamp(min=1)


class PinballLoss(torch.nn.Module):
    """The pinball (quantile) loss, averaged over samples, steps, targets and quantiles.

    For quantile level ``q`` and error ``e = y - y_q``::

        loss_q = max(q * e, (q - 1) * e)

    whose minimiser is the ``q``-quantile of ``y``; at ``q = 0.5`` it is
    half the absolute error.

    Parameters
    ----------
    quantiles : sequence of float in (0, 1)
    """

    def __init__(self, quantiles):
        super().__init__()
        self.register_buffer(
            "quantiles", torch.as_tensor(list(quantiles), dtype=torch.float32), persistent=False,
        )

    def forward(self, prediction, target):
        """
        Parameters
        ----------
        prediction : Tensor of shape (batch, horizon, n_targets, n_quantiles)
        target : Tensor of shape (batch, horizon, n_targets)
        """
        error = target.unsqueeze(-1) - prediction  # (batch, horizon, n_targets, n_quantiles)
        return torch.maximum(self.quantiles * error, (self.quantiles - 1) * error).mean()


class TranslationNet(Seq2SeqNet):
    """:class:`Seq2SeqNet` for token sequences.

    The loss is a :class:`SequenceCrossEntropy` over the target
    vocabulary. Validation decodes free-running (greedy) for as many steps
    as the batch's targets have.
    """

    def validation_step(self, batch, **fit_params):
        self._set_training(False)
        Xi, yi = unpack_data(batch)
        with torch.no_grad():
            y_pred = self.infer(Xi, max_length=yi.size(1), **fit_params)
            loss = self.get_loss(y_pred, yi, X=Xi, training=False)
        return {"loss": loss, "y_pred": y_pred}

    def get_loss(self, y_pred, y_true, X=None, training=False):
        logits = y_pred[0] if isinstance(y_pred, tuple) else y_pred  # (batch, tgt_len, vocab)
        y_true = to_tensor(y_true, device=self.device)
        return self.criterion_(at_least_fp32(logits), y_true)  # fp32 whatever the precision


class BatchDataset(Dataset):
    """skorch ``Dataset`` that hands out whole batches.

    ``DataLoader`` calls ``__getitems__`` with all indices of a batch (also
    through the ``Subset`` of a train split), so a batch is one
    ``index_select`` per array instead of a Python-level fetch and a
    ``torch.stack`` per sample. Use with :func:`collate_batch` (or
    :func:`collate_token_batch`), which receive the ready batch.
    """

    def __getitems__(self, indices):
        index = torch.as_tensor(indices, dtype=torch.long)
        return _take(self.X, index), None if self.y is None else _take(self.y, index)


def _take(data, index):
    if isinstance(data, dict):
        return {key: _take(value, index) for key, value in data.items()}
    if torch.is_tensor(data):
        return data.index_select(0, index)
    return torch.as_tensor(data[index.numpy()])


def collate_batch(batch):
    """The batch as :class:`BatchDataset` built it."""
    return batch


def collate_token_batch(batch):
    """Cut a batch of padded id rows to its longest sequence, as int64.

    Rows are stored padded to the longest sequence of the whole data set
    (compact int32); each batch only pays for its own longest one.
    """
    X, y = batch
    lengths = X["source_lengths"].long()
    width = int(lengths.max())
    X = {**X, "source": X["source"][:, :width].long(), "source_lengths": lengths}
    if "copy_ids" in X:  # copy attention: each source token's copy id, aligned with source
        X["copy_ids"] = X["copy_ids"][:, :width].long()
    if torch.is_tensor(y) and y.dim() == 2:
        y = y[:, : int((y != 0).sum(dim=1).max())].long()
    return X, y


class BucketBatchSampler(Sampler):
    """Batches of samples of similar length, in random order.

    Each epoch: shuffle, cut into pools of ``pool_batches`` batches, sort
    each pool by length, cut it into batches, and shuffle the batches.
    Batches then pad little, and the order stays random. Draws from torch's
    RNG, so a seeded fit repeats it.

    Parameters
    ----------
    lengths : array of shape (n_samples, k)
        Sort keys per sample, the last column first (e.g. source and target
        lengths: sorted by target length, then source length).
    batch_size : int
    shuffle : bool
    pool_batches : int, default=50
    """

    def __init__(self, lengths, batch_size, shuffle, pool_batches=50):
        self.lengths = np.asarray(lengths).reshape(len(lengths), -1)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.pool_batches = pool_batches

    def batches(self):
        n_samples = len(self.lengths)
        order = torch.randperm(n_samples).numpy() if self.shuffle else np.arange(n_samples)
        pool_size = self.batch_size * self.pool_batches
        batches = []
        for start in range(0, n_samples, pool_size):
            pool = order[start: start + pool_size]
            pool = pool[np.lexsort(self.lengths[pool].T)]
            batches += [pool[i: i + self.batch_size] for i in range(0, len(pool), self.batch_size)]
        if self.shuffle:
            batches = [batches[i] for i in torch.randperm(len(batches)).tolist()]
        return batches

    def __iter__(self):
        return (batch.tolist() for batch in self.batches())

    def __len__(self):
        n_samples, pool_size = len(self.lengths), self.batch_size * self.pool_batches
        full_pools, rest = divmod(n_samples, pool_size)
        return full_pools * self.pool_batches + -(-rest // self.batch_size)


class BucketLoader(DataLoader):
    """skorch ``iterator_train`` for token data: batches from length buckets.

    Takes skorch's ``batch_size`` and ``shuffle`` and builds a
    :class:`BucketBatchSampler` from the dataset's source and target
    lengths (a :class:`BatchDataset` or a ``Subset`` of one).
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, **kwargs):
        super().__init__(
            dataset, batch_sampler=BucketBatchSampler(_token_lengths(dataset), batch_size, shuffle),
            **kwargs,
        )


def _token_lengths(dataset):
    # (n_samples, 2): source length, target length (non-padding ids).
    indices = None
    if isinstance(dataset, torch.utils.data.Subset):
        dataset, indices = dataset.dataset, np.asarray(dataset.indices)
    source = np.asarray(dataset.X["source_lengths"])
    target = (np.asarray(dataset.y) != 0).sum(axis=1)
    lengths = np.stack([source, target], axis=1)
    return lengths if indices is None else lengths[indices]


class TailSplit:
    """skorch ``train_split`` that validates on the last ``fraction`` of samples.

    Samples keep their order: for forecasting windows the validation set is
    the most recent stretch of the series and never overlaps the training
    windows' time span by shuffling (unlike ``ValidSplit(float)``). The
    ``gap`` samples just before the validation tail are left out of both
    sets: windows cut with step 1 and horizon ``H`` share target steps with
    their ``H - 1`` neighbours, so ``gap=H - 1`` keeps every validation
    target out of the training targets.

    Parameters
    ----------
    fraction : float in (0, 1)
    gap : int, default=0
    fraction_name : str, default="validation_fraction"
        What the estimator calls ``fraction``, for the error of a split that
        leaves nothing to train on.
    """

    def __init__(self, fraction, gap=0, fraction_name="validation_fraction"):
        self.fraction = fraction
        self.gap = gap
        self.fraction_name = fraction_name

    def __call__(self, dataset, y=None, groups=None):
        train, valid = self.indices(len(dataset))
        return torch.utils.data.Subset(dataset, train), torch.utils.data.Subset(dataset, valid)

    def indices(self, n_samples):
        """The positions of the training samples and of the validation tail.

        Returns
        -------
        train, valid : ndarray of int
        """
        n_valid = max(1, int(math.ceil(self.fraction * n_samples)))
        n_train = n_samples - n_valid - self.gap
        if n_train < 1:
            raise ValueError(
                f"{self.fraction_name}={self.fraction} with a gap of {self.gap} "
                f"samples leaves no training samples out of {n_samples} sample(s)."
            )
        indices = np.arange(n_samples)
        return indices[:n_train], indices[-n_valid:]

    def __repr__(self):
        return f"TailSplit(fraction={self.fraction}, gap={self.gap})"


class RowSplit:
    """skorch ``train_split`` on given positions: ``train`` to train on, ``valid`` to
    validate on (the samples in neither are left out), with :class:`TailSplit`'s
    ``indices``."""

    def __init__(self, train, valid):
        self.train = np.asarray(train, dtype=int)
        self.valid = np.asarray(valid, dtype=int)

    def __call__(self, dataset, y=None, groups=None):
        return (torch.utils.data.Subset(dataset, self.train),
                torch.utils.data.Subset(dataset, self.valid))

    def indices(self, n_samples):
        """The positions of the training and of the validation samples (``n_samples``
        is not needed)."""
        return self.train, self.valid

    def __repr__(self):
        return f"RowSplit({len(self.train)} training, {len(self.valid)} validation samples)"
