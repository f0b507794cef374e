"""A candidate classical member on BACKTESTS: exponential smoothing on each window against Theta.

Exponential smoothing with an additive error, fitted to each window as
``ThetaWindowRegressor`` fits Theta (the same seasonality test and classical
decomposition, vectorised over windows): simple (N), Holt's linear trend
(A) and the damped trend (Ad) on a grid of smoothing parameters, the initial
level and slope in closed form for each (the one-step predictions are linear
in them), the model and parameters with the lowest AICc per window. Scored on
the last ``h`` steps of every training part (the test part is not read), on
each series' last 4 horizons, against Theta and their mean.

    python benchmarks/forecast_ets_explore.py
"""

import argparse
import warnings

import numpy as np
from _report import print_header, timed
from forecast_peers import load_panel, panel_mase, scale_lags

from sk_seqattn import ThetaWindowRegressor, last_windows, make_windows
from sk_seqattn.forecasting._checks import observed_steps
from sk_seqattn.forecasting.classical import _seasonal_indices

ALPHAS = np.array([0.02, 0.05] + list(np.round(np.arange(0.1, 0.96, 0.05), 2)))
BETA_SHARES = np.array([0.01, 0.05, 0.1, 0.2, 0.4])
PHIS = np.array([0.8, 0.9, 0.95, 0.98])

def _grid():
    rows = []
    for a in ALPHAS:
        rows.append((a, 0.0, 0.0, 2))
        for s in BETA_SHARES:
            rows.append((a, a * s, 1.0, 4))
            for p in PHIS:
                rows.append((a, a * s, p, 5))
    return np.array(rows).T

GRID = _grid()

def ets_forecast(series, horizon, season_length=1, models=("N", "A", "Ad")):
    """Per row of ``series`` (n, T): the AICc-best exponential smoothing forecast (n, horizon)."""
    series = np.asarray(series, dtype=np.float64)
    n, T = series.shape
    indices, multiplicative = _seasonal_indices(series, season_length)
    m = indices.shape[1]
    ins = indices[:, np.arange(T) % m]; ahead = indices[:, (T + np.arange(horizon)) % m]
    mult = multiplicative[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(mult, series / ins, series - ins)
    alpha, beta, phi, k = GRID
    keep = np.zeros(len(alpha), bool)
    if "N" in models: keep |= phi == 0
    if "A" in models: keep |= phi == 1
    if "Ad" in models: keep |= (phi > 0) & (phi < 1)
    alpha, beta, phi, k = alpha[keep], beta[keep], phi[keep], k[keep]
    C = len(alpha)
    # D = F - g w', F = [[1, phi], [0, phi]], g = (alpha, beta), w = (1, phi)
    D = np.empty((C, 2, 2))
    D[:, 0, 0] = 1 - alpha; D[:, 0, 1] = phi - alpha * phi
    D[:, 1, 0] = -beta; D[:, 1, 1] = phi - beta * phi
    w = np.stack([np.ones(C), phi], axis=1)  # (C, 2)
    M = np.broadcast_to(np.eye(2), (C, 2, 2)).copy()  # D^(t)
    l = np.zeros((n, C)); b = np.zeros((n, C))
    Scc = np.zeros((C, 2, 2)); Scr = np.zeros((n, C, 2)); Srr = np.zeros((n, C))
    for t in range(T):
        a = l + phi * b  # prediction from zero init
        c = np.einsum("ci,cij->cj", w, M)  # (C, 2): w' D^t
        r = z[:, t:t + 1] - a  # (n, C)
        Scc += c[:, :, None] * c[:, None, :]
        Scr += r[:, :, None] * c[None, :, :]
        Srr += r * r
        e = r  # error of zero-init run
        l, b = a + alpha * e, phi * b + beta * e
        M = np.einsum("cij,cjk->cik", D, M)
    reg = Scc + 1e-9 * np.eye(2)
    x0 = np.linalg.solve(reg[None], Scr[..., None])[..., 0]  # (n, C, 2)
    sse = Srr - np.sum(Scr * x0, axis=-1)
    sse = np.maximum(sse, 1e-12 * np.maximum(Srr, 1e-300))
    with np.errstate(divide="ignore", invalid="ignore"):
        aicc = T * np.log(sse / T) + 2 * k + np.where(T - k - 1 > 0, 2 * k * (k + 1) / (T - k - 1), np.inf)
    best = np.argmin(aicc, axis=1)
    rows = np.arange(n)
    # final state: zero-init state + D^T x0
    xT = np.stack([l, b], -1) + np.einsum("cij,ncj->nci", M, x0)  # (n, C, 2)
    lT, bT = xT[rows, best, 0], xT[rows, best, 1]
    p = phi[best][:, None]
    steps = np.arange(1, horizon + 1)[None, :]
    damp = np.where(p == 1, steps, np.where(p == 0, 0.0, p * (1 - p ** steps) / (1 - np.where(p == 1, 0.5, p))))
    fc = lT[:, None] + damp * bT[:, None]
    return np.where(mult, fc * ahead, fc + ahead)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panels", nargs="+", default=["m1/monthly", "m1/quarterly",
                                                        "tourism/quarterly", "tourism/monthly"])
    args = parser.parse_args(argv)
    print_header("BACKTEST: the last h steps of each training part held out; each series' "
                 "last 4h steps (fewer for a shorter series); Theta: ThetaWindowRegressor()")
    variants = {"ETS, AICc over N, A, Ad": ("N", "A", "Ad"), "ETS, N only": ("N",),
                "ETS, Ad only": ("Ad",)}
    print(f"{'panel':<20} {'method':<34} {'backtest MASE':>14} {'mean with Theta':>16}")
    for name in args.panels:
        dataset, frequency = name.split("/")
        data = load_panel(dataset, frequency)
        h, m = data.horizon, data.season_length
        keep = [values for values in data.train if len(values) > h + 2]
        train, test = [values[:-h] for values in keep], [values[-h:] for values in keep]
        lags = scale_lags(train, m)
        n_in = 4 * h
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            X, y = make_windows(train, n_in, h, fill_value=np.nan,
                                min_observed=int(round(1.5 * h)))
        X_last = last_windows(train, n_in, fill_value=np.nan)[0]
        theta = ThetaWindowRegressor().fit(X, y)
        theta_forecast = theta.predict(X_last)
        label = f"{dataset} {frequency}"
        print(f"{label:<20} {'Theta (season ' + str(theta.season_length_) + ')':<34} "
              f"{panel_mase(train, test, theta_forecast, lags):>14.3f}")
        observed = observed_steps(X_last)
        for method, models in variants.items():
            def forecast():
                out = np.empty_like(theta_forecast)
                for length in np.unique(observed):
                    rows = observed == length
                    out[rows] = X_last[rows, -1:] if length < 2 else ets_forecast(
                        X_last[rows, n_in - length:], h, theta.season_length_, models)
                return out
            ets, _ = timed(forecast)
            print(f"{label:<20} {method:<34} {panel_mase(train, test, ets, lags):>14.3f} "
                  f"{panel_mase(train, test, (ets + theta_forecast) / 2, lags):>16.3f}",
                  flush=True)


if __name__ == "__main__":
    main()
