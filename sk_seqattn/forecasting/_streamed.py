"""Training on a :class:`~sk_seqattn.PanelWindows`: every batch cut from the series on the fly.

``fit`` learns what it fits before training (the "auto" settings, the
normalisation's statistics, the linear floor) on a sample of at most
:data:`STATISTICS_WINDOWS` windows (every window of a smaller panel, so
that there it fits what ``fit`` on the pooled windows fits), then trains
on batches that :class:`PanelDataset` cuts and prepares when the loader
asks for them; an epoch's windows are the panel's draw
(:meth:`~sk_seqattn.PanelWindows.epoch_rows`).
"""

import numpy as np
import torch
from sklearn.utils import check_random_state
from torch.utils.data import DataLoader, Dataset, Sampler

from ..training import distributed
from . import _auto
from ._quantiles import check_quantiles

__all__ = []

# Windows the settings, the normalisation and the floor are fitted on.
STATISTICS_WINDOWS = 16_384


def statistics_rows(panel, random_state):
    """Every window of a panel of at most STATISTICS_WINDOWS, else as many drawn
    without replacement (seeded by ``random_state``: None, an int or a RandomState), in
    order."""
    if len(panel) <= STATISTICS_WINDOWS:
        return np.arange(len(panel))
    rng = np.random.default_rng(check_random_state(random_state).randint(2**31))
    return np.sort(rng.choice(len(panel), size=STATISTICS_WINDOWS, replace=False))


class PanelDataset(Dataset):
    """The panel's windows, each batch cut (``PanelWindows._windows_3d``)
    and prepared by ``prepare(X, y)`` (which returns the module's inputs and targets as
    numpy arrays) when asked for."""

    def __init__(self, panel, prepare):
        self.panel = panel
        self.prepare = prepare

    def __len__(self):
        return len(self.panel)

    def __getitems__(self, indices):
        inputs, y = self.prepare(*self.panel._windows_3d(np.asarray(indices, dtype=np.int64)))
        return {key: torch.from_numpy(value) for key, value in inputs.items()}, \
            torch.from_numpy(y)

    def __getitem__(self, index):
        inputs, y = self.__getitems__([index])
        return {key: value[0] for key, value in inputs.items()}, y[0]


class _EpochSampler(Sampler):
    """The rows of one epoch's draw from the panel, shuffled; with ``rows``, the
    first ``rows`` of them, and the draw seeded apart for each ``rank`` (the
    processes of a distributed fit)."""

    def __init__(self, panel, rows=None, rank=None):
        self.panel, self.rows, self.rank = panel, rows, rank

    def __iter__(self):
        generator = None
        if self.rank is not None:
            seed = int(torch.randint(2**62, ()).item())
            generator = np.random.default_rng([seed, self.rank])
        rows = self.panel.epoch_rows(generator)
        rows = rows[torch.randperm(len(rows)).numpy()][: self.rows]
        return iter(rows.tolist())

    def __len__(self):
        size = self.panel.epoch_size
        return size if self.rows is None else min(size, self.rows)


class PanelLoader(DataLoader):
    """skorch ``iterator_train`` for a :class:`PanelDataset`: batches of the epoch's
    draw. With every window drawn it is skorch's own shuffled loader, so a panel fits
    as its windows pooled in the panel's order do; in a distributed fit, every process takes the same
    number of batches (the dataset's ``rows_per_epoch``)."""

    def __init__(self, dataset, batch_size=1, shuffle=False, **kwargs):
        panel = dataset.panel
        rows = getattr(dataset, "rows_per_epoch", None)
        if rows is None and panel.windows_per_series is None and panel.stride == 1:
            super().__init__(dataset, batch_size=batch_size, shuffle=shuffle, **kwargs)
        else:
            sampler = _EpochSampler(panel, rows, getattr(dataset, "rank", None))
            super().__init__(dataset, batch_size=batch_size, sampler=sampler, **kwargs)


def fit_panel(regressor, panel, y):
    """``regressor.fit(panel)``: one network trained on batches cut from ``panel``; across
    the processes of a ``torch.distributed`` group, one network trained by all of them
    (:mod:`sk_seqattn.training.distributed`)."""
    if y is not None:
        raise ValueError("y must be None when X is a PanelWindows: the targets are cut "
                         "from its series.")
    if not all(value is None or (isinstance(value, str) and value == "auto")
               for value in (regressor.lookbacks, regressor.classical)):
        raise ValueError(
            "fit on a PanelWindows trains one network on the whole window: lookbacks and "
            "classical must be 'auto' or None (several lookbacks and a classical member "
            "need the pooled windows).")
    if regressor.validation_fraction is not None:
        raise ValueError("validation_fraction needs the pooled windows; with a PanelWindows "
                         "set it to None.")
    rank, size = distributed.world()
    X, y = regressor._validate_windows(
        *panel.windows(statistics_rows(panel, regressor.random_state)), reset=True)
    n_windows = panel.epoch_size
    if size > 1:
        shapes = distributed.gathered((X.shape[1:], y.shape[1:]))
        if len(set(shapes)) > 1:
            raise ValueError(
                "the processes' panels cut windows of different shapes ((steps, features), "
                f"(horizon, targets)), by rank: {shapes}; every shard needs the same "
                "columns, n_in and n_out.")
        n_windows = sum(distributed.gathered(n_windows))
        _check_shards_disjoint(distributed.gathered(
            list(panel.ids) if panel._named_ids else None))
    regressor.quantiles_ = check_quantiles(regressor.quantiles)
    settings = _auto.plan(regressor, X, y, n_windows=n_windows, one_network=True)
    if size > 1:
        # One set of settings for all: process 0's, without a log transform that
        # another process' values forbid.
        transforms = distributed.gathered(settings.target_transform)
        settings = distributed.from_main(settings)
        if len(set(transforms)) > 1:
            settings.target_transform = None
    regressor.lookbacks_ = settings.lookbacks
    regressor._check_observed(X)
    regressor.validation_loss_ = None
    regressor._set_settings(settings)
    regressor.ensemble_ = regressor.classical_ = None
    transform = regressor.target_transform_
    regressor._fit_preprocessing(transform.transform_X(X), transform.transform_y(y),
                                 slice(None))
    del X, y
    dataset = PanelDataset(panel, lambda X, y: _prepared(regressor, X, y))
    net = regressor._regression_net(iterator_train=PanelLoader)
    if size > 1:
        regressor.scaler_, regressor.floor_ = distributed.from_main(
            (regressor.scaler_, regressor.floor_))
        batches = -(-panel.epoch_size // regressor.batch_size_)
        dataset.rows_per_epoch = distributed.fewest(batches) * regressor.batch_size_
        dataset.rank = rank
        net.callbacks = list(net.callbacks) + [("data_parallel", distributed.DataParallel())]
    try:
        regressor.net_ = regressor._fit_net(net, dataset, None)
    except Exception as error:
        distributed.unwrap(net)
        if size > 1 and not isinstance(error, (ValueError, TypeError)):
            # A group with a lost member cannot be used again: leave it now, so that
            # its threads do not end the process at exit.
            distributed.leave_group()
            message = str(error).splitlines()[0] if str(error) else ""
            raise RuntimeError(
                f"training across {size} processes stopped on process {rank}: another "
                f"process failed or left ({type(error).__name__}: {message}). Nothing was "
                "fitted.") from error
        raise
    # What only this training needed goes: the net then saves, loads and predicts
    # as one fitted on pooled windows.
    net.iterator_train = DataLoader
    net.callbacks = [(name, callback) for name, callback in net.callbacks
                     if name != "data_parallel"]
    return regressor


def _prepared(regressor, X, y):
    """A batch's module inputs and targets, from the windows the panel cut in the
    validated form (the statistics' sample was validated)."""
    transform = regressor.target_transform_
    return regressor._prepared(transform.transform_X(X), transform.transform_y(y))


def _check_shards_disjoint(ids_by_rank):
    """A ValueError naming the series ids found in the shards of several processes
    (ids given by name; a list's positions are numbered per process)."""
    owners = {}
    for rank, ids in enumerate(ids_by_rank):
        for sid in ids or ():
            owners.setdefault(sid, []).append(rank)
    shared = {sid: ranks for sid, ranks in owners.items() if len(ranks) > 1}
    if shared:
        shown = ", ".join(f"{sid!r} (processes {ranks})" for sid, ranks in list(shared.items())[:10])
        raise ValueError(f"{len(shared)} series id(s) are in the shards of several processes: "
                         f"{shown}; give each series to one process.")
