"""Test MASE on the real-series protocols of shared/docs/anchors.md.

Default ``Seq2SeqAttentionRegressor`` (each ``attention`` value) over
several seeds, next to seasonal naive and per-window-standardised Ridge,
all on the same windows in one run.

    python benchmarks/forecast_accuracy.py [--seeds 5] [--series sunspots co2]
        [--attention dot none] [--param linear_path=True ...]
"""

import argparse
import ast
import time

import numpy as np
from _report import print_header
from sklearn.linear_model import Ridge

from sk_seqattn import Seq2SeqAttentionRegressor
from sk_seqattn.datasets import forecasting_split, load_co2, load_sunspots
from sk_seqattn.metrics import mean_absolute_scaled_error, seasonal_naive

PROTOCOLS = {  # name: (loader, L, H, m)
    "sunspots": (load_sunspots, 44, 11, 11),
    "co2": (load_co2, 104, 52, 52),
}


def ridge_per_window(split):
    def standardise(X):
        mean, scale = X.mean(1, keepdims=True), X.std(1, keepdims=True)
        return (X - mean) / scale, mean, scale

    X, mean, scale = standardise(split.X_train)
    ridge = Ridge(alpha=1.0).fit(X, (split.y_train - mean) / scale)
    X, mean, scale = standardise(split.X_test)
    return ridge.predict(X) * scale + mean


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--series", nargs="+", default=list(PROTOCOLS), choices=PROTOCOLS)
    parser.add_argument("--attention", nargs="+",
                        default=["dot", "general", "concat", "location", "none"])
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a non-default regressor parameter (Python literal value)")
    args = parser.parse_args(argv)
    params = {name: ast.literal_eval(value)
              for name, value in (item.split("=", 1) for item in args.param)}

    print_header(f"regressor: default parameters{', ' if params else ''}"
                 f"{', '.join(f'{k}={v!r}' for k, v in params.items())}; random_state "
                 f"0..{args.seeds - 1}; MASE mean +- std over seeds")
    print(f"{'series':<9} {'method':<34} {'test MASE':>16} {'fit s/seed':>10}")
    for name in args.series:
        load, n_in, horizon, m = PROTOCOLS[name]
        split = forecasting_split(load(), n_in, horizon)

        def mase(prediction):
            return mean_absolute_scaled_error(split.y_test, prediction, split.train, m=m)

        print(f"{name:<9} {'seasonal naive':<34} "
              f"{mase(seasonal_naive(split.X_test, horizon, m)):>16.3f} {'-':>10}")
        print(f"{name:<9} {'Ridge, per-window standardised':<34} "
              f"{mase(ridge_per_window(split)):>16.3f} {'-':>10}")
        for attention in args.attention:
            errors, seconds = [], []
            for seed in range(args.seeds):
                start = time.perf_counter()
                reg = Seq2SeqAttentionRegressor(attention=attention, random_state=seed,
                                                **params)
                reg.fit(split.X_train, split.y_train)
                seconds.append(time.perf_counter() - start)
                errors.append(mase(reg.predict(split.X_test)))
            label = f"Seq2SeqAttentionRegressor {attention}"
            print(f"{name:<9} {label:<34} {np.mean(errors):>8.3f} +- {np.std(errors):.3f} "
                  f"{np.mean(seconds):>10.1f}", flush=True)


if __name__ == "__main__":
    main()
