"""The ``sk-seqattn`` command line (also ``python -m sk_seqattn``)."""

import argparse
import sys
import time

__all__ = ["main"]


def _demo(args):
    import numpy as np

    from .datasets import forecasting_split, load_sunspots
    from .metrics import mean_absolute_scaled_error, seasonal_naive
    from .regressor import Seq2SeqAttentionRegressor

    n_in, horizon, season = 44, 11, 11
    series = load_sunspots()
    split = forecasting_split(series, n_in=n_in, n_out=horizon)
    print(
        f"Sunspots, yearly {series.index[0]}-{series.index[-1]}: forecast {horizon} "
        f"years from the previous {n_in}; {len(split.X_train)} training windows, "
        f"{len(split.X_test)} test origins in the last 20%."
    )
    start = time.perf_counter()
    reg = Seq2SeqAttentionRegressor(random_state=args.random_state)
    reg.fit(split.X_train, split.y_train)
    seconds = time.perf_counter() - start

    def mase(prediction):
        return mean_absolute_scaled_error(split.y_test, prediction, split.train, m=season)

    rows = [
        ("seasonal naive (m=11)", mase(seasonal_naive(split.X_test, horizon, season)), "-"),
        (f"Seq2SeqAttentionRegressor ({reg.attention})", mase(reg.predict(split.X_test)),
         f"{seconds:.1f} s"),
    ]
    print(f"\n{'method':<36} {'test MASE':>9} {'fit time':>9}")
    for name, error, fit_time in rows:
        print(f"{name:<36} {error:>9.3f} {fit_time:>9}")
    weights = reg.attention_weights(split.X_test).mean(axis=(0, 1))  # (n_in,)
    lags = n_in - np.argsort(weights)[::-1][:3]
    print(f"\nMean attention peaks at lags {', '.join(map(str, lags))} "
          "(the solar cycle is about 11 years).")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="sk-seqattn",
        description="Luong-attention sequence-to-sequence models as scikit-learn estimators.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo", help="forecast sunspots and compare with a seasonal-naive baseline",
        description="Fit Seq2SeqAttentionRegressor on the sunspots series (ships "
                    "with statsmodels) and print its test MASE next to seasonal naive.",
    )
    demo.add_argument("--random-state", type=int, default=0)
    demo.set_defaults(handler=_demo)
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
