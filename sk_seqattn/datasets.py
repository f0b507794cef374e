"""Real series and the forecasting protocol used to evaluate on them.

The series ship inside statsmodels (the ``datasets`` extra), so nothing is
downloaded at run time.
"""

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from .preprocessing import make_windows

__all__ = ["load_sunspots", "load_co2", "forecasting_split"]


def _statsmodels_datasets():
    try:
        import statsmodels.api as sm
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError(
            "sk_seqattn's built-in series come from statsmodels; install it with "
            "`pip install 'sk_seqattn[datasets]'`."
        ) from exc
    return sm.datasets


def load_sunspots():
    """Yearly mean sunspot numbers, 1700-2008 (309 values).

    Returns
    -------
    series : pandas.Series
        Indexed by year (``PeriodIndex``, frequency "Y"), named "sunspots".
    """
    data = _statsmodels_datasets().sunspots.load_pandas().data
    index = pd.period_range(
        start=str(int(data["YEAR"].iloc[0])), periods=len(data), freq="Y", name="year"
    )
    return pd.Series(data["SUNACTIVITY"].to_numpy(float), index=index, name="sunspots")


def load_co2():
    """Weekly atmospheric CO2 at Mauna Loa, March 1958 - December 2001 (2284 values).

    The 59 missing weeks are interpolated in time.

    Returns
    -------
    series : pandas.Series
        Indexed by week (``DatetimeIndex``, frequency "W-SAT"), named "co2", in ppm.
    """
    data = _statsmodels_datasets().co2.load_pandas().data["co2"]
    data.index = pd.DatetimeIndex(data.index, freq="W-SAT", name="week")
    return data.interpolate(method="time").rename("co2")


def forecasting_split(series, n_in, n_out, test_fraction=0.2):
    """Windows for a hold-out forecast evaluation.

    The protocol of ``shared/docs/anchors.md``: test forecast origins are
    every ``t`` in ``[n - round(test_fraction * n), n - n_out]`` (all
    targets inside the last ``test_fraction`` of the series); training
    windows are all those whose targets end before the test part starts.

    Parameters
    ----------
    series : array-like of shape (n_times,) or (n_times, n_features)
    n_in, n_out : int
        Input window and horizon.
    test_fraction : float, default=0.2

    Returns
    -------
    split : Bunch
        ``X_train, y_train, X_test, y_test`` (from :func:`make_windows`)
        and ``train`` (the series before the test part, for MASE's scale).
    """
    values = np.asarray(series, dtype=np.float64)
    n_times = len(values)
    test_start = n_times - int(round(test_fraction * n_times))
    if test_start - n_in - n_out < 0 or n_times - n_out < test_start:
        raise ValueError(
            f"A series of {n_times} steps is too short for n_in={n_in}, "
            f"n_out={n_out} and test_fraction={test_fraction}."
        )
    X_train, y_train = make_windows(values[:test_start], n_in, n_out)
    X_test, y_test = make_windows(values[test_start - n_in:], n_in, n_out)
    return Bunch(X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test,
                 train=values[:test_start])
