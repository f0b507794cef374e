"""Memory and time of training on large panels: windows cut on the fly against pooled windows.

A generated panel (seeded) of seasonal, trending and intermittent series of
500 steps, at 1,000, 10,000 and 100,000 series, lookback 56, horizon 28.
Two paths:

- ``streamed``: ``PanelWindows(series, 56, 28, windows_per_series=1)``,
  ``Seq2SeqAttentionRegressor(lookbacks=None, classical=None, batch_size=256,
  lr=1e-3).fit(panel)``,
  then ``forecast_panel`` (chunks of 4,096 series);
- ``pooled``: ``make_windows(series, 56, 28)``, ``fit(X, y)`` (an epoch
  is every window), then ``last_windows`` and ``predict``.

Each (path, size) runs in a child process that stops training after
``--steps`` optimizer steps (a skorch callback) and reports its own peak
resident memory (``VmHWM``), its memory before the panel was generated
(interpreter, torch, the package), the seconds per 1,000 training steps
(timed from the first batch, so without the setup), the setup's seconds
(windows, statistics, floor) and the seconds to forecast every series. The
pooled path runs under an address-space limit (``--memory-limit-gib``), so
that running out of memory is a MemoryError, reported as such.

    python benchmarks/forecast_scale.py [--sizes 1000 10000 100000] [--steps 500]
"""

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np
from _report import print_header

LENGTH, N_IN, HORIZON = 500, 56, 28


def generated_panel(n_series, seed=0):
    """``n_series`` positive series of LENGTH steps: a third seasonal (period 7 or
    12), a third trending, a third intermittent (mostly zeros)."""
    rng = np.random.default_rng(seed)
    t = np.arange(LENGTH)
    series = []
    for i in range(n_series):
        level = rng.uniform(5, 100)
        kind = i % 3
        if kind == 0:
            period = 7 if i % 2 else 12
            values = level * (1 + 0.3 * np.sin(2 * np.pi * t / period + rng.uniform(0, 6)))
        elif kind == 1:
            values = level + rng.uniform(-0.05, 0.2) * level / 100 * t
        else:
            values = rng.poisson(0.3, LENGTH) * level / 10
        values = np.maximum(values + rng.normal(0, 0.05 * level, LENGTH) * (kind != 2), 0)
        series.append(values)
    return series


def _peak_mib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child(path, n_series, steps, memory_limit_gib):
    """Run one (path, size) and print its measurements as JSON."""
    import torch
    from skorch.callbacks import Callback

    from sk_seqattn import (PanelWindows, Seq2SeqAttentionRegressor, forecast_panel,
                            last_windows, make_windows)

    class StopAfterSteps(Callback):
        def __init__(self, steps):
            self.steps = steps

        def on_train_begin(self, net, **kwargs):
            self.done, self.first = 0, None

        def on_batch_begin(self, net, training=False, **kwargs):
            if training and self.first is None:
                self.first = time.perf_counter()

        def on_batch_end(self, net, training=False, **kwargs):
            if training:
                self.done += 1
                if self.done >= self.steps:
                    self.seconds = time.perf_counter() - self.first
                    raise KeyboardInterrupt  # skorch ends the fit here

    before = _peak_mib()
    series = generated_panel(n_series)
    raw_mib = sum(values.nbytes for values in series) / 2**20
    stop = StopAfterSteps(steps)
    # The panel settings at every size (a small epoch's draw would otherwise
    # get the one-series batch of 32).
    reg = Seq2SeqAttentionRegressor(lookbacks=None, classical=None, max_epochs=1000,
                                    batch_size=256, lr=1e-3, random_state=0,
                                    callbacks=[("stop", stop)])
    result = {"path": path, "n_series": n_series, "raw_mib": raw_mib, "before_mib": before,
              "torch_threads": torch.get_num_threads()}
    start = time.perf_counter()
    try:
        if path == "streamed":
            panel = PanelWindows(series, N_IN, HORIZON, windows_per_series=1)
            result["windows"] = len(panel)
            reg.fit(panel)
        else:
            if memory_limit_gib:
                limit = int(memory_limit_gib * 2**30)
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            X, y = make_windows(series, N_IN, HORIZON)
            result["windows"] = len(X)
            reg.fit(X, y)
            del X, y
        fit_seconds = time.perf_counter() - start
        trained = dict(reg.net_.callbacks_)["stop"]  # the net's copy of the callback
        result["setup_s"] = fit_seconds - trained.seconds
        result["s_per_1000_steps"] = trained.seconds / steps * 1000
        start = time.perf_counter()
        if path == "streamed":
            forecasts = forecast_panel(reg, panel)
        else:
            X_last, _ = last_windows(series, N_IN)
            forecasts = reg.predict(X_last)
        result["forecast_s"] = time.perf_counter() - start
        result["forecasts"] = len(forecasts)
    except MemoryError:
        result["error"] = "MemoryError"
    result["peak_mib"] = _peak_mib()
    print(json.dumps(result))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--paths", nargs="+", default=["streamed", "pooled"])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--memory-limit-gib", type=float, default=20.0)
    parser.add_argument("--child", nargs=2, metavar=("PATH", "N_SERIES"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child[0], int(args.child[1]), args.steps, args.memory_limit_gib)
    print_header(
        f"panel: generated (seed 0), series of {LENGTH} steps (a third seasonal, a third "
        f"trending, a third intermittent), lookback {N_IN}, horizon {HORIZON}; "
        f"Seq2SeqAttentionRegressor(lookbacks=None, classical=None, batch_size=256, lr=1e-3), "
        f"its other defaults; "
        f"training stopped after {args.steps} steps\n"
        "streamed: PanelWindows(windows_per_series=1), fit(panel), forecast_panel; "
        "pooled: make_windows, fit(X, y), last_windows + predict "
        f"(address space limited to {args.memory_limit_gib:g} GiB)\n"
        "peak: the child's VmHWM; over raw: (peak - memory before the panel) / the raw "
        "values (float64)")
    print(f"{'path':<9} {'series':>8} {'windows':>10} {'raw MiB':>8} {'peak MiB':>9} "
          f"{'over raw':>9} {'setup s':>8} {'s/1000 steps':>13} {'forecast s':>11}")
    for n_series in args.sizes:
        for path in args.paths:
            command = [sys.executable, __file__, "--child", path, str(n_series),
                       "--steps", str(args.steps),
                       "--memory-limit-gib", str(args.memory_limit_gib)]
            done = subprocess.run(command, capture_output=True, text=True)
            lines = done.stdout.strip().splitlines()
            if done.returncode or not lines:
                print(f"{path:<9} {n_series:>8}  failed (exit {done.returncode}): "
                      f"{done.stderr.strip().splitlines()[-1:]}", flush=True)
                continue
            r = json.loads(lines[-1])
            if "error" in r:
                print(f"{path:<9} {n_series:>8} {r.get('windows', float('nan')):>10} "
                      f"{r['raw_mib']:>8.0f}  {r['error']} (peak {r['peak_mib']:.0f} MiB)",
                      flush=True)
                continue
            over = (r["peak_mib"] - r["before_mib"]) / r["raw_mib"]
            print(f"{path:<9} {n_series:>8} {r['windows']:>10} {r['raw_mib']:>8.0f} "
                  f"{r['peak_mib']:>9.0f} {over:>9.1f} {r['setup_s']:>8.1f} "
                  f"{r['s_per_1000_steps']:>13.1f} {r['forecast_s']:>11.1f}", flush=True)


if __name__ == "__main__":
    main()
