"""What the estimator layer costs, and what the batched decoder saves.

For each protocol (sunspots L=44 H=11, co2 L=104 H=52, windows as in
shared/docs/anchors.md), in ONE run, interleaved repeat by repeat:

1. ``Seq2SeqAttentionRegressor.fit`` (validation, normalisation, the skorch
   net and its callbacks included);
2. a plain PyTorch loop training the same network class on the same
   normalised windows, batch size, shuffling, optimizer, loss and gradient
   clipping;
3. that plain loop with the decoder forced through its step loop
   (``forward_stepwise``) instead of the batched path;
4. the estimator with ``input_feeding=True`` (which needs the step loop).

It prints medians and the ratios that matter: estimator / plain (the
wrapper's overhead, target <= 1.05, from --repeats interleaved pairs: the
ratio is a few percent, so it needs many) and step loop / batched (a
several-fold ratio, from --step-repeats runs).

    python benchmarks/regressor_overhead.py [--repeats 9] [--step-repeats 2] [--epochs 10]
"""

import argparse
import statistics

import numpy as np
import torch
from _report import print_header, timed

from sk_seqattn import Seq2SeqAttentionRegressor
from sk_seqattn.datasets import forecasting_split, load_co2, load_sunspots
from sk_seqattn.nn import Seq2SeqRegressionNetwork

PROTOCOLS = {
    "sunspots L=44 H=11": (load_sunspots, 44, 11),
    "co2 L=104 H=52": (load_co2, 104, 52),
}


def normalised(X, y):
    # What normalize="window" feeds the network.
    mean = X.mean(axis=1, keepdims=True)
    scale = X.std(axis=1, keepdims=True)
    return (
        ((X - mean) / scale)[:, :, None].astype(np.float32),
        ((y - mean) / scale)[:, :, None].astype(np.float32),
    )


def plain_fit(X, y, params, epochs, stepwise=False):
    """The same training, written as an ordinary PyTorch loop."""
    torch.manual_seed(0)
    module = Seq2SeqRegressionNetwork(
        n_features=1, n_targets=1, horizon=y.shape[1], n_steps=X.shape[1],
        hidden_size=params["hidden_size"], attention=params["attention"],
        input_feeding=False,
    )
    if stepwise:
        module.decoder.forward = module.decoder.forward_stepwise
    optimizer = torch.optim.Adam(module.parameters(), lr=params["lr"])
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y)),
        batch_size=params["batch_size"], shuffle=True,
    )
    criterion = torch.nn.MSELoss()
    module.train()
    for _ in range(epochs):
        for Xb, yb in loader:
            optimizer.zero_grad()
            prediction, _ = module(Xb, target=yb)
            loss = criterion(prediction, yb)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(module.parameters(), 5.0)
            optimizer.step()
            loss.item()  # what any loop that logs its loss does




def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9,
                        help="interleaved estimator/plain pairs")
    parser.add_argument("--step-repeats", type=int, default=2,
                        help="runs of the step-loop and input-feeding variants")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads for every variant (default 1: steadier timings)")
    args = parser.parse_args(argv)
    if min(args.repeats, args.step_repeats) < 1:
        parser.error("--repeats and --step-repeats must be at least 1 (after the warm-up).")
    torch.set_num_threads(args.threads)
    params = dict(hidden_size=64, attention="dot", lr=1e-3, batch_size=32)

    print_header(f"model: LSTM, hidden {params['hidden_size']}, {params['attention']} "
                 f"attention, batch {params['batch_size']}, Adam, {args.epochs} epochs; "
                 f"medians of {args.repeats} interleaved estimator/plain pairs and "
                 f"{args.step_repeats} step-loop runs, after one warm-up round")

    header = (f"{'protocol':<20} {'windows':>7} {'estimator s':>11} {'plain s':>8} "
              f"{'overhead':>9} {'step loop s':>11} {'step/batched':>12} {'input feeding s':>15}")
    print(header)
    print("-" * len(header))
    for name, (load, n_in, horizon) in PROTOCOLS.items():
        split = forecasting_split(load(), n_in, horizon)
        X, y = normalised(split.X_train, split.y_train)
        # torch.set_num_threads above sets the estimator's threads too.
        estimator = Seq2SeqAttentionRegressor(max_epochs=args.epochs, random_state=0, **params)
        runs = {"estimator": [], "plain": [], "stepwise": [], "input_feeding": []}
        # One untimed round first: the first fit of a process pays torch's warm-up.
        for repeat in range(args.repeats + 1):
            estimator.set_params(input_feeding=False)
            runs["estimator"].append(timed(lambda: estimator.fit(split.X_train, split.y_train))[1])
            runs["plain"].append(timed(lambda: plain_fit(X, y, params, args.epochs))[1])
            if repeat > args.step_repeats:
                continue
            runs["stepwise"].append(
                timed(lambda: plain_fit(X, y, params, args.epochs, stepwise=True))[1]
            )
            estimator.set_params(input_feeding=True)
            runs["input_feeding"].append(
                timed(lambda: estimator.fit(split.X_train, split.y_train))[1]
            )
        median = {key: statistics.median(values[1:]) for key, values in runs.items()}
        print(f"{name:<20} {len(X):>7} {median['estimator']:>11.2f} {median['plain']:>8.2f} "
              f"{median['estimator'] / median['plain']:>8.3f}x {median['stepwise']:>11.2f} "
              f"{median['stepwise'] / median['plain']:>11.2f}x {median['input_feeding']:>15.2f}")
    print("\noverhead = estimator / plain loop (target <= 1.05x); "
          "step/batched = same training through the decoder's step loop.")


if __name__ == "__main__":
    main()
