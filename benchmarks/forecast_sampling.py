"""Windows drawn per series against every window, on BACKTESTS of a panel's training parts.

Pooled windows weigh each series by its number of windows, so long series
dominate an epoch. ``PanelWindows(windows_per_series=k)`` draws ``k``
windows of every series afresh each epoch instead. Both train one network
(``lookbacks=None, classical=None``, log1p, batch 256, lr 1e-3, 10 epochs)
on windows of 2 horizons, ``k`` chosen so that an epoch has as many windows
as the pooled ones (the same optimizer steps). The last ``h`` steps of every
training part are held out and scored by MASE, as ``forecast_peers.py``
scores the test part (which is not read).

    python benchmarks/forecast_sampling.py tourism monthly --seeds 2
"""

import argparse
import warnings

import numpy as np
from _report import print_header, timed
from forecast_peers import load_panel, panel_mase, scale_lags

from sk_seqattn import PanelWindows, Seq2SeqAttentionRegressor, last_windows, make_windows

SETTINGS = {"lookbacks": None, "classical": None, "batch_size": 256, "lr": 1e-3,
            "max_epochs": 10}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset")
    parser.add_argument("frequency")
    parser.add_argument("--seeds", type=int, default=2)
    args = parser.parse_args(argv)
    data = load_panel(args.dataset, args.frequency)
    h, m = data.horizon, data.season_length
    n_in = 2 * h
    keep = [values for values in data.train if len(values) >= n_in + 2 * h]
    train, test = [values[:-h] for values in keep], [values[-h:] for values in keep]
    lags = scale_lags(train, m)
    log = {"target_transform": "log1p"} if min(v.min() for v in train) >= 0 else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        X, y = make_windows(train, n_in, h)
    per_series = max(1, round(len(X) / len(train)))
    panel = PanelWindows(train, n_in, h, windows_per_series=per_series)
    counts = panel.n_windows_per_series
    X_last = last_windows(train, n_in)[0]
    print_header(
        f"data: {args.dataset} {args.frequency}, BACKTEST: the last h={h} steps of each "
        f"training part held out; the {len(train)} series with at least {n_in + h} steps left "
        f"(windows per series {counts.min()}-{counts.max()}); the test part is not read\n"
        f"one network on windows of {n_in} steps, {SETTINGS}, {log}; "
        f"mean +- std over seeds 0..{args.seeds - 1}")
    print(f"{'panel':<22} {'windows an epoch':<44} {'backtest MASE':>16} {'fit s':>8}")
    variants = {
        f"every window ({len(X)})": lambda reg: reg.fit(X, y),
        f"{per_series} per series, drawn each epoch ({panel.epoch_size})":
            lambda reg: reg.fit(panel),
    }
    for label, fit in variants.items():
        errors, seconds = [], []
        for seed in range(args.seeds):
            reg = Seq2SeqAttentionRegressor(random_state=seed, **log, **SETTINGS)
            _, fit_seconds = timed(lambda: fit(reg))
            errors.append(panel_mase(train, test, reg.predict(X_last), lags))
            seconds.append(fit_seconds)
        print(f"{args.dataset + ' ' + args.frequency:<22} {label:<44} "
              f"{np.mean(errors):.3f} +- {np.std(errors):.3f} {np.mean(seconds):>8.1f}",
              flush=True)


if __name__ == "__main__":
    main()
