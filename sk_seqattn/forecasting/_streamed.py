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
from torch.utils.data import DataLoader, Dataset, Sampler

__all__ = []

# Windows the settings, the normalisation and the floor are fitted on.
STATISTICS_WINDOWS = 16_384


def statistics_rows(panel, random_state):
    """Every window of a panel of at most STATISTICS_WINDOWS, else as many drawn
    without replacement (seeded by ``random_state``), in order."""
    if len(panel) <= STATISTICS_WINDOWS:
        return np.arange(len(panel))
    rng = np.random.default_rng(None if random_state is None
                                else np.random.RandomState(random_state).randint(2**31))
    return np.sort(rng.choice(len(panel), size=STATISTICS_WINDOWS, replace=False))


class PanelDataset(Dataset):
    """The panel's windows, each batch cut and prepared by ``prepare(X, y)`` (which
    returns the module's inputs and targets as numpy arrays) when asked for."""

    def __init__(self, panel, prepare):
        self.panel = panel
        self.prepare = prepare

    def __len__(self):
        return len(self.panel)

    def __getitems__(self, indices):
        inputs, y = self.prepare(*self.panel.windows(np.asarray(indices, dtype=np.int64)))
        return {key: torch.from_numpy(value) for key, value in inputs.items()}, \
            torch.from_numpy(y)

    def __getitem__(self, index):
        inputs, y = self.__getitems__([index])
        return {key: value[0] for key, value in inputs.items()}, y[0]


class _EpochSampler(Sampler):
    """The rows of one epoch's draw from the panel, shuffled."""

    def __init__(self, panel):
        self.panel = panel

    def __iter__(self):
        rows = self.panel.epoch_rows()
        return iter(rows[torch.randperm(len(rows)).numpy()].tolist())

    def __len__(self):
        return self.panel.epoch_size


class PanelLoader(DataLoader):
    """skorch ``iterator_train`` for a :class:`PanelDataset`: batches of the epoch's
    draw. With every window drawn it is skorch's own shuffled loader, so a panel fits
    as its pooled windows do."""

    def __init__(self, dataset, batch_size=1, shuffle=False, **kwargs):
        panel = dataset.panel
        if panel.windows_per_series is None and panel.stride == 1:
            super().__init__(dataset, batch_size=batch_size, shuffle=shuffle, **kwargs)
        else:
            super().__init__(dataset, batch_size=batch_size, sampler=_EpochSampler(panel),
                             **kwargs)


def fit_panel(regressor, panel, y):
    """``regressor.fit(panel)``: one network trained on batches cut from ``panel``."""
    from ._quantiles import check_quantiles
    from . import _auto

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
    X, y = regressor._validate_windows(
        *panel.windows(statistics_rows(panel, regressor.random_state)), reset=True)
    regressor.quantiles_ = check_quantiles(regressor.quantiles)
    settings = _auto.plan(regressor, X, y, n_windows=panel.epoch_size, one_network=True)
    regressor.lookbacks_ = settings.lookbacks
    regressor._check_observed(X)
    regressor.validation_loss_ = None
    regressor._set_settings(settings)
    regressor.ensemble_ = regressor.classical_ = None
    regressor._fit_preprocessing(X, y, slice(None))
    del X, y

    def prepare(X_batch, y_batch):
        X_batch, _ = regressor._validate_windows(X_batch)
        y_batch = np.asarray(y_batch, dtype=np.float64).reshape(
            len(y_batch), regressor.horizon_, regressor.n_targets_)
        return regressor._prepared(X_batch, y_batch)

    net = regressor._regression_net(iterator_train=PanelLoader)
    regressor.net_ = regressor._fit_net(net, PanelDataset(panel, prepare), None)
    return regressor
