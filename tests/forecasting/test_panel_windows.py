"""PanelWindows: a panel's windows cut on demand, and the regressor trained on them."""

import pickle

import numpy as np
import pandas as pd
import pytest

import sk_seqattn
from sk_seqattn import (LinearFloorRegressor, PanelWindows, Seq2SeqAttentionRegressor,
                        forecast_panel, forecasts_to_frame, last_windows, make_windows)
from sk_seqattn.forecasting import _streamed
from sk_seqattn.forecasting._streamed import PanelDataset

ONE_NETWORK = dict(hidden_size=4, max_epochs=2, random_state=0, lookbacks=None,
                   classical=None)


def _series(n_series=5, seed=0, columns=1):
    rng = np.random.RandomState(seed)
    panel = {}
    for i in range(n_series):
        t = np.arange(30 + 5 * i)
        values = 10 + i + np.sin(t / 3) + 0.1 * rng.randn(len(t))
        if columns > 1:
            values = np.column_stack([values] + [np.cos(t / (2 + c)) for c in range(columns - 1)])
        panel[f"s{i}"] = values
    return panel


def _all(panel):
    return panel.windows(np.arange(len(panel)))


@pytest.mark.parametrize("options", [
    {},
    {"fill_value": np.nan, "min_observed": 4},
])
def test_windows_are_make_windows_windows_series_by_series(options):
    series = _series()
    panel = PanelWindows(series, n_in=8, n_out=3, **options)
    X, y = _all(panel)
    owner = panel.series_of(np.arange(len(panel)))
    for position, values in enumerate(series.values()):
        X_one, y_one = make_windows(values, n_in=8, n_out=3, **options)
        np.testing.assert_array_equal(X[owner == position], X_one)
        np.testing.assert_array_equal(y[owner == position], y_one)
    assert len(panel) == sum(len(make_windows(v, 8, 3, **options)[0]) for v in series.values())
    assert panel.epoch_size == len(panel)


def test_covariates_and_targets_are_laid_out_as_make_windows_does():
    series = _series(columns=3)
    panel = PanelWindows(series, n_in=6, n_out=2, target=[0], future_covariates=[2])
    X, y = _all(panel)
    X_pooled, y_pooled, index = make_windows(series, n_in=6, n_out=2, target=[0],
                                             future_covariates=[2], return_index=True)
    # The same windows, in another order: series by series here.
    order = np.lexsort((index["time"].to_numpy(), pd.Index(series).get_indexer(index["series"])))
    np.testing.assert_array_equal(X, X_pooled[order])
    np.testing.assert_array_equal(y, y_pooled[order])
    assert X.shape[1:] == (8, 3) and y.shape[1:] == (2, 1)


def test_long_dataframes_are_read_as_make_windows_reads_them():
    frame = pd.DataFrame({"id": ["a"] * 12 + ["b"] * 10, "value": np.arange(22.0)})
    panel = PanelWindows(frame, n_in=4, n_out=2, id_column="id")
    assert list(panel.ids) == ["a", "b"] and len(panel) == 7 + 5
    X, _ = panel.windows(np.array([7]))
    np.testing.assert_array_equal(X[0, :, 0], [12.0, 13, 14, 15])


@pytest.mark.parametrize("params", [
    {},
    {"target_transform": "log1p", "floor": LinearFloorRegressor(alpha=10.0)},
    {"quantiles": (0.1, 0.9), "normalize": "global"},
])
def test_a_panel_fits_as_its_pooled_windows_do(params):
    # Every window drawn, the same order: the same fit, batch for batch.
    panel = PanelWindows(_series(), n_in=8, n_out=3)
    X, y = _all(panel)
    pooled = Seq2SeqAttentionRegressor(**ONE_NETWORK, **params).fit(X, y)
    streamed = Seq2SeqAttentionRegressor(**ONE_NETWORK, **params).fit(panel)
    X_last, _ = last_windows(_series(), n_in=8)
    np.testing.assert_allclose(streamed.predict(X_last), pooled.predict(X_last), rtol=1e-6)
    if params.get("quantiles"):
        np.testing.assert_allclose(streamed.predict_quantiles(X_last),
                                   pooled.predict_quantiles(X_last), rtol=1e-6)


def test_past_and_known_future_covariates_fit_as_pooled():
    # Column 0 the target, 1 a past covariate, 2 known in advance.
    series = _series(columns=3)
    panel = PanelWindows(series, n_in=6, n_out=2, target=0, future_covariates=[2])
    X, y = _all(panel)
    params = dict(ONE_NETWORK, future_features=[2])
    pooled = Seq2SeqAttentionRegressor(**params).fit(X, y)
    streamed = Seq2SeqAttentionRegressor(**params).fit(panel)
    future = {sid: np.cos((len(v) + np.arange(2))[:, None] / 2) for sid, v in series.items()}
    X_last, index = last_windows(series, 6, future_covariates=[2], future=future)
    np.testing.assert_allclose(streamed.predict(X_last), pooled.predict(X_last), rtol=1e-6)
    # forecast_panel cuts the same last windows, with the same future.
    expected = forecasts_to_frame(streamed.predict(X_last), index)
    pd.testing.assert_frame_equal(forecast_panel(streamed, panel, future=future, chunk_size=2),
                                  expected)


def test_batches_are_cut_when_asked_for(monkeypatch):
    # Only the statistics' sample and one batch at a time are ever cut.
    monkeypatch.setattr(_streamed, "STATISTICS_WINDOWS", 20)
    panel = PanelWindows(_series(), n_in=8, n_out=3)
    sizes = []
    original = PanelWindows._windows_3d

    def counting(self, rows):
        sizes.append(len(rows))
        return original(self, rows)

    monkeypatch.setattr(PanelWindows, "_windows_3d", counting)
    reg = Seq2SeqAttentionRegressor(**ONE_NETWORK, batch_size=16).fit(panel)
    assert sizes[0] == 20 and max(sizes[1:]) == 16 and len(panel) > 100
    assert sum(sizes[1:]) == 2 * len(panel)  # two epochs of every window
    assert reg.net_ is not None


def _epoch_rows(panel, monkeypatch, **params):
    seen = []
    original = PanelDataset.__getitems__

    def recording(self, indices):
        seen.append(np.asarray(indices))
        return original(self, indices)

    monkeypatch.setattr(PanelDataset, "__getitems__", recording)
    reg = Seq2SeqAttentionRegressor(**{**ONE_NETWORK, "batch_size": 1000, **params}).fit(panel)
    return reg, seen  # one batch an epoch


def test_windows_per_series_draws_that_many_each_epoch(monkeypatch):
    panel = PanelWindows(_series(), n_in=8, n_out=3, windows_per_series=3)
    reg, epochs = _epoch_rows(panel, monkeypatch, max_epochs=3)
    assert panel.epoch_size == 15 and len(epochs) == 3
    for rows in epochs:
        counts = np.bincount(panel.series_of(rows), minlength=panel.n_series)
        assert counts.tolist() == [3] * 5
    assert not all(np.array_equal(np.sort(epochs[0]), np.sort(rows)) for rows in epochs[1:])
    # Seeded: the same draws again.
    _, again = _epoch_rows(panel, monkeypatch, max_epochs=3)
    assert all(np.array_equal(a, b) for a, b in zip(epochs, again))
    # "auto" epochs follow the budget of the draw's size, not the panel's.
    reg = Seq2SeqAttentionRegressor(hidden_size=4, lookbacks=None, classical=None,
                                    max_epochs="auto", random_state=0)
    assert reg.fit(panel).max_epochs_ == 100  # few windows: the one-series setting


def test_a_stride_takes_every_kth_window_from_a_drawn_offset(monkeypatch):
    panel = PanelWindows(_series(), n_in=8, n_out=3, stride=4)
    _, epochs = _epoch_rows(panel, monkeypatch, max_epochs=4)
    offsets = panel._window_offsets
    seen = set()
    for rows in epochs:
        owner = panel.series_of(rows)
        for s in range(panel.n_series):
            within = np.sort(rows[owner == s] - offsets[s])
            assert (np.diff(within) == 4).all() and within[0] < 4
            assert within[-1] + 4 >= panel.n_windows_per_series[s]
        seen.update(rows.tolist())
    assert len(seen) > len(panel) / 4  # offsets vary between epochs


def test_forecast_panel_streams_the_last_windows():
    series = _series(n_series=7)
    panel = PanelWindows(series, n_in=8, n_out=3)
    reg = Seq2SeqAttentionRegressor(**ONE_NETWORK).fit(panel)
    X_last, index = last_windows(series, n_in=8)
    expected = forecasts_to_frame(reg.predict(X_last), index)
    pd.testing.assert_frame_equal(forecast_panel(reg, panel, chunk_size=3), expected)


def test_a_panel_fit_is_pickled_saved_and_predicts_arrays(tmp_path):
    panel = PanelWindows(_series(), n_in=8, n_out=3, windows_per_series=2)
    reg = Seq2SeqAttentionRegressor(**ONE_NETWORK).fit(panel)
    X_last, _ = last_windows(_series(), n_in=8)
    again = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(again.predict(X_last), reg.predict(X_last))
    sk_seqattn.save(reg, tmp_path / "model.skm")
    loaded = sk_seqattn.load(tmp_path / "model.skm")
    np.testing.assert_array_equal(loaded.predict(X_last), reg.predict(X_last))
    assert reg.predict(X_last).shape == (5, 3)


@pytest.mark.parametrize("params, fit_y, match", [
    ({}, "y", "y must be None"),
    ({"lookbacks": [4, 8]}, None, "one network"),
    ({"classical": LinearFloorRegressor()}, None, "one network"),
    ({"validation_fraction": 0.2}, None, "validation_fraction"),
])
def test_bad_panel_fits_are_value_errors(params, fit_y, match):
    panel = PanelWindows(_series(), n_in=8, n_out=3)
    y = _all(panel)[1] if fit_y else None
    with pytest.raises(ValueError, match=match):
        Seq2SeqAttentionRegressor(**{**ONE_NETWORK, **params}).fit(panel, y)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"windows_per_series": 0}, ValueError, "windows_per_series"),
    ({"stride": 0}, ValueError, "stride"),
    ({"windows_per_series": 2, "stride": 2}, ValueError, "one of them"),
    ({"n_in": 0}, ValueError, "n_in"),
    ({"target": 0}, ValueError, "2-D series"),
])
def test_bad_panels_are_errors(kwargs, error, match):
    arguments = {"n_in": 8, "n_out": 3, **kwargs}
    with pytest.raises(error, match=match):
        PanelWindows(_series(), **arguments)


def test_bad_rows_and_arguments_are_errors():
    panel = PanelWindows(_series(), n_in=8, n_out=3)
    with pytest.raises(ValueError, match="window positions from 0"):
        panel.windows(np.array([len(panel)]))
    with pytest.raises(TypeError, match="1-D array of window positions"):
        panel.windows(np.array([0.5]))
    with pytest.raises(TypeError, match="PanelWindows"):
        forecast_panel(LinearFloorRegressor(), {"a": [1.0, 2.0]})
    # Windows are asked for everywhere else: a clear TypeError, not numpy's.
    reg = Seq2SeqAttentionRegressor(**ONE_NETWORK).fit(panel)
    with pytest.raises(TypeError, match="forecast_panel"):
        reg.predict(panel)
    with pytest.raises(TypeError, match="only Seq2SeqAttentionRegressor.fit"):
        LinearFloorRegressor().fit(panel, None)
    with pytest.warns(UserWarning, match="Skipped 1 series"):
        PanelWindows({"a": np.arange(20.0), "b": np.arange(5.0)}, n_in=8, n_out=3)


def test_parquet_files_one_series_each(tmp_path):
    pytest.importorskip("pyarrow")
    series = _series(n_series=3)
    for sid, values in series.items():
        pd.DataFrame({"value": values}).to_parquet(tmp_path / f"{sid}.parquet")
    panel = PanelWindows.from_parquet(tmp_path, n_in=8, n_out=3, windows_per_series=2)
    expected = PanelWindows(series, n_in=8, n_out=3)
    assert list(panel.ids) == ["s0", "s1", "s2"] and panel.windows_per_series == 2
    X, y = _all(panel)
    X_dict, y_dict = _all(expected)
    np.testing.assert_array_equal(X[..., 0], X_dict)
    np.testing.assert_array_equal(y[..., 0], y_dict)


def test_parquet_files_of_a_partitioned_long_panel(tmp_path):
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"id": ["a"] * 12 + ["b"] * 10 + ["c"] * 11,
                          "t": list(range(12)) + list(range(10)) + list(range(11)),
                          "value": np.arange(33.0), "other": np.ones(33)})
    frame.iloc[:22].sample(frac=1, random_state=0).to_parquet(tmp_path / "part-0.parquet")
    frame.iloc[22:].to_parquet(tmp_path / "part-1.parquet")
    panel = PanelWindows.from_parquet(
        [tmp_path / "part-0.parquet", tmp_path / "part-1.parquet"], n_in=4, n_out=2,
        id_column="id", time_column="t", columns=["value"])
    # Ids in order of first appearance (the first file's rows are shuffled).
    assert sorted(panel.ids) == ["a", "b", "c"] and len(panel) == 7 + 5 + 6
    first_of_b = np.flatnonzero(panel.series_of(np.arange(len(panel)))
                                == list(panel.ids).index("b"))[0]
    X, _ = panel.windows(np.array([first_of_b]))  # sorted by time within the series
    np.testing.assert_array_equal(X[0, :, 0], [12.0, 13, 14, 15])


def test_bad_parquet_panels_are_named(tmp_path):
    pytest.importorskip("pyarrow")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        PanelWindows.from_parquet(tmp_path / "missing.parquet", n_in=4, n_out=2)
    with pytest.raises(FileNotFoundError, match="holds no"):
        PanelWindows.from_parquet(tmp_path, n_in=4, n_out=2)
    pd.DataFrame({"id": ["a"] * 8, "value": np.arange(8.0)}).to_parquet(tmp_path / "1.parquet")
    (tmp_path / "2.parquet").write_text("not parquet")
    with pytest.raises(ValueError, match="2.parquet' cannot be read as parquet"):
        PanelWindows.from_parquet(tmp_path, n_in=4, n_out=2, id_column="id")
    pd.DataFrame({"id": ["b"] * 8, "level": np.arange(8.0)}).to_parquet(tmp_path / "2.parquet")
    with pytest.raises(ValueError, match=r"2.parquet' has columns \['id', 'level'\]"):
        PanelWindows.from_parquet(tmp_path, n_in=4, n_out=2, id_column="id")
    pd.DataFrame({"id": ["a"] * 8, "value": np.arange(8.0)}).to_parquet(tmp_path / "2.parquet")
    with pytest.raises(ValueError, match="series id 'a' is in two files"):
        PanelWindows.from_parquet(tmp_path, n_in=4, n_out=2, id_column="id")


def test_a_random_state_instance_draws_the_statistics_sample(monkeypatch):
    # scikit-learn's random_state may be a RandomState: a large panel's sample of
    # windows for the statistics is drawn from it, as from an int.
    monkeypatch.setattr(_streamed, "STATISTICS_WINDOWS", 20)
    panel = PanelWindows(_series(), n_in=8, n_out=3)
    rows = _streamed.statistics_rows(panel, np.random.RandomState(0))
    assert len(rows) == 20 and (np.diff(rows) > 0).all()
    np.testing.assert_array_equal(rows, _streamed.statistics_rows(panel, 0))
    reg = Seq2SeqAttentionRegressor(**{**ONE_NETWORK, "random_state": np.random.RandomState(0)})
    assert reg.fit(panel).net_ is not None
