"""The forecasting peers' side of ``forecast_peers.py``: statsforecast and neuralforecast.

Runs in the peers' own virtual environment (numpy, pandas, statsforecast,
neuralforecast; nothing of sk_seqattn's, nothing of the benchmarks'), so
their dependencies never enter the project's venv:

    PEERS_PYTHON _peers_worker.py SPEC.json

``SPEC.json``: {"data": an .npz with ``values`` (the training parts of all
series, concatenated) and ``lengths``, "horizon", "season_length",
"methods", "seeds", "input_size", "max_steps" (null: the model's default),
"threads", "out": a folder}. Each fit writes its forecasts, shape
``(n_series, horizon)`` in the series' order, to ``out/METHOD[_SEED].npy``
and prints one JSON line: {"method", "seed" (null for the per-series
models), "seconds" (wall-clock of the fit and forecast), "file"}. The
first line printed holds the packages' versions.
"""

import json
import logging
import os
import platform
import sys
import time
import warnings
from importlib.metadata import version

import numpy as np
import pandas as pd

STATS = ("snaive", "AutoETS", "AutoTheta", "AutoARIMA")
NEURAL = ("NHITS", "LSTM")


def long_frame(series):
    """The long DataFrame both packages read: unique_id, ds (integer steps), y."""
    return pd.concat([pd.DataFrame({"unique_id": f"s{i:05d}", "ds": np.arange(len(x)), "y": x})
                      for i, x in enumerate(series)], ignore_index=True)


def by_series(forecasts, n_series, horizon):
    """The forecast column of a peer's output as ``(n_series, horizon)``, in series order."""
    forecasts = forecasts.reset_index() if "unique_id" not in forecasts.columns else forecasts
    (column,) = [c for c in forecasts.columns if c not in ("unique_id", "ds", "index")]
    forecasts = forecasts.sort_values(["unique_id", "ds"])
    return forecasts[column].to_numpy(np.float64).reshape(n_series, horizon)


def stats_model(name, m):
    from statsforecast.models import AutoARIMA, AutoETS, AutoTheta, SeasonalNaive
    return {"snaive": SeasonalNaive, "AutoETS": AutoETS, "AutoTheta": AutoTheta,
            "AutoARIMA": AutoARIMA}[name](season_length=m)


def neural_model(name, spec, seed, pad):
    from neuralforecast.models import LSTM, NHITS
    kwargs = dict(h=spec["horizon"], input_size=spec["input_size"], random_seed=seed,
                  scaler_type="robust", start_padding_enabled=pad, accelerator="cpu",
                  enable_progress_bar=False, enable_model_summary=False, logger=False)
    if spec["max_steps"] is not None:
        kwargs["max_steps"] = spec["max_steps"]
    return {"NHITS": NHITS, "LSTM": LSTM}[name](**kwargs)


def main(spec_path):
    with open(spec_path) as file:
        spec = json.load(file)
    data = np.load(spec["data"])
    series = np.split(data["values"], np.cumsum(data["lengths"])[:-1])
    horizon, m = spec["horizon"], spec["season_length"]
    emit({"versions": {"python": platform.python_version(), "numpy": np.__version__,
                       **{p: version(p) for p in ("statsforecast", "neuralforecast", "torch")}}})
    frame = long_frame(series)
    for name in spec["methods"]:
        if name in STATS:
            from statsforecast import StatsForecast
            start = time.perf_counter()
            forecasts = StatsForecast(models=[stats_model(name, m)], freq=1, n_jobs=1).forecast(
                df=frame, h=horizon)
            save(spec, name, None, time.perf_counter() - start,
                 by_series(forecasts, len(series), horizon))
        elif name in NEURAL:
            import torch
            from neuralforecast import NeuralForecast
            torch.set_num_threads(spec["threads"])
            # neuralforecast refuses a series shorter than input_size
            # unless its start padding is on (M1 monthly has some).
            pad = min(map(len, series)) <= spec["input_size"]
            for seed in range(spec["seeds"]):
                start = time.perf_counter()
                model = NeuralForecast(models=[neural_model(name, spec, seed, pad)], freq=1)
                model.fit(df=frame)
                forecasts = model.predict()
                save(spec, name, seed, time.perf_counter() - start,
                     by_series(forecasts, len(series), horizon), start_padding=pad)
        else:
            raise ValueError(f"unknown peer method {name!r}; known: {STATS + NEURAL}")


def save(spec, name, seed, seconds, forecasts, **extra):
    path = os.path.join(spec["out"], name if seed is None else f"{name}_{seed}") + ".npy"
    np.save(path, forecasts)
    emit({"method": name, "seed": seed, "seconds": seconds, "file": path, **extra})


def emit(record):
    print(json.dumps(record), flush=True)


if __name__ == "__main__":
    warnings.filterwarnings("ignore")
    for logger in ("pytorch_lightning", "lightning", "lightning.pytorch", "lightning_fabric"):
        logging.getLogger(logger).setLevel(logging.ERROR)
    main(sys.argv[1])
