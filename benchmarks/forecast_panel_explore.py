"""The one-off exploration behind forecast_panel.py's settings (tourism monthly).

Kept as it ran, so that the figures in results/forecast_panel_exploration.txt
can be reproduced. ``--split valid`` is the backtest used to choose settings
without the competition's test part: the last 24 months of each training
part are held out (the 365 series with at least 96 training months);
``--split test`` is the official split. Each seed's forecasts are saved to
``--save-dir`` as ``pred_<split>_n<n_in>_<variant>_s<seed>.npy``; ``--combine``
then scores the mean of the saved forecasts over window lengths, which is
how ``LookbackEnsemble`` combines its members.

Two options monkeypatch the package to try ideas before building them:
``--scale`` divides each window by another spread ("none": only centre it;
"sdiff": the mean absolute 12-month difference; "diff": of 1 month; the
floor's windows too), and ``--static`` is the prototype of the network
reading the window statistics (the asinh of each window's ``1 / scale`` and
``mean / scale``, at every step), which became the regressor's
``window_stats="all"`` and has since been removed from the package. The
``--scale`` figures predate the floor's window statistics and its lookback
choice; "sdiff" now needs ``n_in >= 52``: the floor's ``lookback="auto"``
also tries the last quarter of the window, which must span more than 12
months.

    python benchmarks/forecast_panel_explore.py --split valid --n-in 60 [--seeds 2]
        [--param hidden_size=64] [--static] [--scale sdiff] [--cosine]
    python benchmarks/forecast_panel_explore.py --split test --combine 36 48 60
"""
import argparse
import ast
import glob
import itertools
import os
import time

import numpy as np
from sk_seqattn import Seq2SeqAttentionRegressor, last_windows, make_windows
from sk_seqattn.datasets import load_tourism
from sk_seqattn.metrics import mean_absolute_scaled_error
from sk_seqattn.forecasting.scaling import WindowScaler, nonzero_scale

SCALE = {"kind": "std", "m": 12}
orig = WindowScaler._statistics

def patched(self, X):
    if self.normalize != "window" or SCALE["kind"] == "std":
        return orig(self, X)
    mean = X.mean(axis=1, keepdims=True)
    kind, m = SCALE["kind"], SCALE["m"]
    if kind == "none":
        return mean, np.ones_like(mean)
    if kind == "sdiff":
        s = np.abs(X[:, m:] - X[:, :-m]).mean(axis=1, keepdims=True)
    elif kind == "diff":
        s = np.abs(np.diff(X, axis=1)).mean(axis=1, keepdims=True)
    s = np.maximum(s, self.window_scale_floor_)
    return mean, nonzero_scale(s, mean)
WindowScaler._statistics = patched

p = argparse.ArgumentParser()
p.add_argument("--split", default="valid")
p.add_argument("--seeds", type=int, default=2)
p.add_argument("--n-in", type=int, default=36)
p.add_argument("--scale", default="std")
p.add_argument("--param", action="append", default=[])
p.add_argument("--static", action="store_true")
p.add_argument("--cosine", action="store_true")
p.add_argument("--save-dir", default="/tmp/forecast_panel_explore")
p.add_argument("--combine", type=int, nargs="*", default=None, metavar="N_IN",
               help="score the mean of the saved default-variant forecasts over these n_in")
a = p.parse_args()
if a.static:
    import functools
    from sk_seqattn.forecasting import regressor as R
    from sk_seqattn.nn import forecasting as NF
    orig_init = NF.Seq2SeqRegressionNetwork.__init__
    def init(self, n_features, *args, **kw):
        orig_init(self, n_features + 2, *args, **kw)
    R.Seq2SeqRegressionNetwork.__init__ = init
    # The regressor's normalisation also returns the window statistics (Scaled.level).
    R.WindowScaler = functools.partial(WindowScaler, window_stats=True)
    orig_inputs = R.Seq2SeqAttentionRegressor._network_inputs
    def net_inputs(self, X, scaled):
        inputs = orig_inputs(self, X, scaled)
        lv = np.repeat(np.arcsinh(scaled.level)[:, None, :], inputs["X"].shape[1], axis=1).astype(np.float32)
        inputs["X"] = np.concatenate([inputs["X"], lv], axis=2)
        return inputs
    R.Seq2SeqAttentionRegressor._network_inputs = net_inputs
SCALE["kind"] = a.scale
params = dict(target_transform="log1p", batch_size=256, max_epochs=10, lr=1e-3)
params.update({k: ast.literal_eval(v) for k, v in (i.split("=", 1) for i in a.param)})
if a.cosine:
    from skorch.callbacks import LRScheduler
    import torch
    params["callbacks"] = [LRScheduler(torch.optim.lr_scheduler.CosineAnnealingLR, T_max=params["max_epochs"])]
d = load_tourism("monthly")
if a.split == "valid":
    # series long enough for every window length tried (365 of 366)
    train = [t[:-24] for t in d.train if len(t) >= 96]; test = [t[-24:] for t in d.train if len(t) >= 96]
else:
    train, test = d.train, d.test
import warnings; warnings.simplefilter("ignore")


def panel_mase(pred):
    return float(np.mean([mean_absolute_scaled_error(yt, yp, ytr, m=12)
                          for ytr, yt, yp in zip(train, test, pred)]))


if a.combine is not None:
    saved = {}
    for path in glob.glob(os.path.join(a.save_dir, f"pred_{a.split}_n*_std__s*.npy")):
        n_in, seed = os.path.basename(path)[len(f"pred_{a.split}_n"):-4].split("_std__s")
        saved[int(n_in), int(seed)] = np.load(path)
    seeds = sorted({seed for _, seed in saved})
    for r in range(1, len(a.combine) + 1):
        for combo in itertools.combinations(a.combine, r):
            scores = [panel_mase(np.mean([saved[n, s] for n in combo], 0)) for s in seeds]
            print(a.split, "n_in", combo, "per seed", np.round(scores, 3),
                  f"mean {np.mean(scores):.3f}")
    raise SystemExit
os.makedirs(a.save_dir, exist_ok=True)
X, y = make_windows(train, a.n_in, 24)
Xl, _ = last_windows(train, a.n_in)
errs, secs = [], []
for seed in range(a.seeds):
    t0 = time.perf_counter()
    reg = Seq2SeqAttentionRegressor(random_state=seed, **params).fit(X, y)
    secs.append(time.perf_counter() - t0)
    pred = reg.predict(Xl)
    tag = f"{a.split}_n{a.n_in}_{a.scale}{'_static' if a.static else ''}{'_cos' if a.cosine else ''}_" + "_".join(i.replace('"', '').replace("'", '') for i in a.param) + f"_s{seed}"
    np.save(os.path.join(a.save_dir, f"pred_{tag}.npy"), pred)
    print("seed", seed, time.perf_counter() - t0, flush=True)
    errs.append(panel_mase(pred))
print(f"{a.split} n_in={a.n_in} scale={a.scale} static={a.static} cosine={a.cosine} {params}: {np.mean(errs):.3f} +- {np.std(errs):.3f} {[round(e,3) for e in errs]} fit {np.mean(secs):.0f}s", flush=True)
