"""Choosing the regressor's defaults on BACKTESTS of a panel's training parts.

The last ``h`` steps of every series' training part are held out (the
competition's test part is never read); each variant is fitted on what is
left and scored by MASE on the held-out steps, as ``forecast_peers.py``
scores the test part. Variants (several per run; seeded ones per seed):

- ``ens``: the README's recipe, a padded LookbackEnsemble over 1.5h, 2h, 3h,
  4h of log1p networks (batch 256, lr 1e-3, 10 epochs);
- ``theta``: ThetaWindowRegressor on each series' last 4h steps;
- ``theta-season``: the same with ``season_length`` the panel's known one
  and 1 (against "auto");
- ``ens+theta@w``: ``w`` times the ensemble's forecast plus ``1 - w`` times Theta's;
- ``ens-thetafloor``: the ensemble with ``floor=ThetaWindowRegressor()`` in every member;
- ``default``: ``Seq2SeqAttentionRegressor()`` as the package now defaults it
  (``--param`` overrides), on the padded windows of 4h, and the mean of its
  seeds' forecasts (a seed ensemble, fit time the sum of the seeds');
- ``default-losses``: the default trained with each ``loss`` (``--losses``,
  default "mse", "mae", "huber") and the mean of their forecasts per seed (an ensemble across
  losses, as N-BEATS ensembles over its training losses); ``--max-epochs-many
  N`` sets the most epochs its "auto" budget allows with many windows
  (``sk_seqattn.forecasting._auto.MAX_EPOCHS_MANY``).

    python benchmarks/forecast_default_explore.py m1 monthly --variants ens,theta --seeds 3
"""

import argparse
import warnings

import numpy as np
from _report import parse_params, print_header, timed
from forecast_peers import edge_padded, load_panel, panel_mase, scale_lags

from sk_seqattn import (LookbackEnsemble, Seq2SeqAttentionRegressor, ThetaWindowRegressor,
                        last_windows, make_windows)

# One network per member (the regressor's own lookbacks and classical member off).
RECIPE = {"batch_size": 256, "lr": 1e-3, "max_epochs": 10, "lookbacks": None,
          "classical": None}
LOOKBACKS = (1.5, 2, 3, 4)
VARIANTS = ("ens", "theta", "theta-season", "ens-thetafloor", "default", "default-losses")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset")
    parser.add_argument("frequency")
    parser.add_argument("--variants", default="ens,theta")
    parser.add_argument("--weights", default="0.25,0.5,0.75",
                        help="the ensemble's weights in ens+theta combinations")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a regressor parameter for the seeded variants")
    parser.add_argument("--losses", default="mse,mae,huber",
                        help="the default-losses variant's losses")
    parser.add_argument("--max-epochs-many", type=int, default=None, metavar="N",
                        help="the default variant's most epochs with many windows")
    parser.add_argument("--window-scale", choices=["std", "steps"], default="std",
                        help="normalize='window' divides each window by its standard "
                             "deviation (the package), or by its mean absolute step "
                             "(MASE's scale; an experiment, patched in here)")
    args = parser.parse_args(argv)
    params = parse_params(args.param)
    if args.window_scale == "steps":
        _scale_windows_by_their_steps()
    if args.max_epochs_many is not None:
        from sk_seqattn.forecasting import _auto
        _auto.MAX_EPOCHS_MANY = args.max_epochs_many
    data = load_panel(args.dataset, args.frequency)
    h, m = data.horizon, data.season_length
    # The backtest: the last h training steps are the held-out part.
    keep = [values for values in data.train if len(values) > h + 2]
    train, test = [values[:-h] for values in keep], [values[-h:] for values in keep]
    lags = scale_lags(train, m)
    lengths = [len(values) for values in train]
    variants = args.variants.split(",")
    print_header(
        f"data: {args.dataset} {args.frequency}, BACKTEST: the last h={h} steps of each "
        f"training part held out ({len(train)} series, remaining lengths "
        f"{min(lengths)}-{max(lengths)}); the test part is not read\n"
        f"seeded variants: mean +- std over seeds 0..{args.seeds - 1}; params {params}"
        + ("" if args.max_epochs_many is None
           else f"; MAX_EPOCHS_MANY={args.max_epochs_many}")
        + ("" if args.window_scale == "std"
           else "; windows scaled by their mean absolute step"))
    lookbacks = sorted({int(round(f * h)) for f in LOOKBACKS})
    n_in = lookbacks[-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        X, y = make_windows(train, n_in, h, fill_value=np.nan, min_observed=lookbacks[0])
    X_last = last_windows(train, n_in, fill_value=np.nan)[0]
    X_last_edge = edge_padded(X_last, lookbacks[0])
    log = {"target_transform": "log1p"} if min(v.min() for v in train) >= 0 else {}
    print(f"{'panel':<22} {'variant':<34} {'backtest MASE':>16} {'fit s':>8}")

    def row(label, errors, seconds):
        spread = f" +- {np.std(errors):.3f}" if len(errors) > 1 else ""
        print(f"{args.dataset + ' ' + args.frequency:<22} {label:<34} "
              f"{np.mean(errors):.3f}{spread:>9} {np.mean(seconds):>8.1f}", flush=True)

    theta = None
    if "theta" in variants or "ens" in variants:
        model, seconds = timed(lambda: ThetaWindowRegressor().fit(X, y))
        theta = model.predict(X_last)
        row(f"theta (season_length_={model.season_length_})",
            [panel_mase(train, test, theta, lags)], [seconds])

    if "theta-season" in variants:
        for season in sorted({1, m}):
            model = ThetaWindowRegressor(season_length=season).fit(X, y)
            row(f"theta, season_length={season}",
                [panel_mase(train, test, model.predict(X_last), lags)], [0.0])

    def seeded(label, build, X_predict):
        forecasts, errors, seconds = [], [], []
        for seed in range(args.seeds):
            model, fit_seconds = timed(lambda: build(seed).fit(X, y))
            forecasts.append(model.predict(X_predict))
            errors.append(panel_mase(train, test, forecasts[-1], lags))
            seconds.append(fit_seconds)
        row(label, errors, seconds)
        return forecasts

    if "ens" in variants:
        forecasts = seeded("ens", lambda seed: LookbackEnsemble(
            estimator=Seq2SeqAttentionRegressor(random_state=seed, **log, **{**RECIPE, **params}),
            lookbacks=lookbacks), X_last_edge)
        for w in map(float, args.weights.split(",")):
            row(f"ens+theta@{w}", [panel_mase(train, test, w * f + (1 - w) * theta, lags)
                                   for f in forecasts], [0])
    if "ens-thetafloor" in variants:
        seeded("ens-thetafloor", lambda seed: LookbackEnsemble(
            estimator=Seq2SeqAttentionRegressor(
                random_state=seed, floor=ThetaWindowRegressor(), **log, **{**RECIPE, **params}),
            lookbacks=lookbacks), X_last_edge)
    if "default-losses" in variants:
        by_loss = {loss: seeded(f"default, loss={loss!r}", lambda seed, loss=loss:
                                Seq2SeqAttentionRegressor(random_state=seed,
                                                          **{**params, "loss": loss}),
                                X_last_edge)
                   for loss in args.losses.split(",")}
        row(f"  mean over the {len(by_loss)} losses, per seed",
            [panel_mase(train, test, np.mean(per_seed, axis=0), lags)
             for per_seed in zip(*by_loss.values())], [0])
    if "default" in variants:
        chosen = []

        def default(seed):
            chosen.append(Seq2SeqAttentionRegressor(random_state=seed, **params))
            return chosen[-1]
        forecasts = seeded("default", default, X_last_edge)
        print("max_epochs_ per seed:", [reg.max_epochs_ for reg in chosen])
        if len(forecasts) > 1:  # a seed ensemble of the same fits, at their summed cost
            row(f"  mean of the {len(forecasts)} seeds' forecasts",
                [panel_mase(train, test, np.mean(forecasts, axis=0), lags)], [0])
        # The composite's members alone and recombined (same fits): the classical
        # member's weight, w here, on the backtest.
        composites = [reg.ensemble_ for reg in chosen
                      if hasattr(getattr(reg, "ensemble_", None), "named_estimators_")]
        if composites:
            n = len(X_last_edge)
            members = [(c.named_estimators_["networks"].predict(X_last_edge).reshape(n, -1),
                        c.named_estimators_["classical"].predict(X_last_edge).reshape(n, -1))
                       for c in composites]
            for w in (0.0, 0.25, 0.4, 0.5, 0.6, 1.0):
                row(f"  its networks + classical@{w}",
                    [panel_mase(train, test, (1 - w) * nets + w * classic, lags)
                     for nets, classic in members], [0])


def _scale_windows_by_their_steps():
    """Patch WindowScaler so that normalize="window" divides each window by the mean
    absolute difference of consecutive steps instead of its standard deviation: a
    per-series scale-free loss, as MASE scales errors (N-BEATS trained on M4 so)."""
    from sk_seqattn.forecasting import scaling

    original = scaling.WindowScaler._statistics

    def statistics(self, window):
        if self.normalize != "window":
            return original(self, window)
        mean = window.mean(axis=1, keepdims=True)  # (n_samples, 1, n_features)
        steps = np.abs(np.diff(window, axis=1)).mean(axis=1, keepdims=True)
        typical = self.window_scale_floor_ / scaling._WINDOW_SCALE_FLOOR
        steps = np.where(steps < self.window_scale_floor_, typical, steps)
        return mean, scaling.nonzero_scale(steps, mean)

    scaling.WindowScaler._statistics = statistics


if __name__ == "__main__":
    main()
