"""LookbackEnsemble (members on the last L steps) and SeedEnsemble (members with other
seeds): their forecasts combined."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from sk_seqattn import (LookbackEnsemble, SeedEnsemble, Seq2SeqAttentionRegressor, load,
                        make_windows, save)

TINY = dict(hidden_size=4, max_epochs=1, batch_size=16, random_state=0)


@pytest.fixture(scope="module")
def windows():
    series = 3 + np.sin(np.arange(120) / 3) + 0.1 * np.random.RandomState(0).randn(120)
    return make_windows(series, n_in=12, n_out=3)  # (106, 12), (106, 3)


@pytest.fixture(scope="module")
def ensemble(windows):
    return LookbackEnsemble(estimator=Seq2SeqAttentionRegressor(**TINY),
                            lookbacks=(6, 1.0)).fit(*windows)


def test_members_read_the_last_steps_and_are_averaged(ensemble, windows):
    X, _ = windows
    assert ensemble.lookbacks_.tolist() == [6, 12]
    assert [member.n_steps_in_ for member in ensemble.estimators_] == [6, 12]
    members = [ensemble.estimators_[0].predict(X[:, -6:]), ensemble.estimators_[1].predict(X)]
    np.testing.assert_allclose(ensemble.predict(X), np.mean(members, axis=0))
    median = clone(ensemble).set_params(combine="median", lookbacks=(4, 8, 12)).fit(*windows)
    members = [member.predict(X[:, -length:])
               for member, length in zip(median.estimators_, median.lookbacks_)]
    np.testing.assert_allclose(median.predict(X), np.median(members, axis=0))


def test_lookbacks_as_fractions_of_the_window(windows):
    ensemble = LookbackEnsemble(estimator=Seq2SeqAttentionRegressor(**TINY),
                                lookbacks=(0.5, 6, 0.01, 1.0)).fit(*windows)
    # 0.5 of 12 is 6, the same as 6: fitted once; 0.01 rounds up to one step.
    assert ensemble.lookbacks_.tolist() == [1, 6, 12]
    assert len(ensemble.estimators_) == 3


@pytest.mark.parametrize("lookbacks, message", [
    ((0,), "within the input window of 12 steps, got 0"),
    ((13,), "within the input window of 12 steps, got 13"),
    ((1.5,), "ints (steps) or floats in (0, 1]"),
    (("6",), "ints (steps) or floats in (0, 1]"),
    ((), "at least one length"),
])
def test_bad_lookbacks_are_value_errors(windows, lookbacks, message):
    ensemble = LookbackEnsemble(estimator=Seq2SeqAttentionRegressor(**TINY),
                                lookbacks=lookbacks)
    with pytest.raises(ValueError, match="lookbacks") as error:
        ensemble.fit(*windows)
    assert message in str(error.value)


def test_known_future_steps_go_to_every_member():
    rng = np.random.RandomState(0)
    series = np.column_stack([3 + np.sin(np.arange(100) / 3), rng.randn(100)])
    X, y = make_windows(series, n_in=10, n_out=4, target=0, future_covariates=1)
    assert X.shape[1] == 14
    ensemble = LookbackEnsemble(
        estimator=Seq2SeqAttentionRegressor(future_features=1, **TINY), lookbacks=(5, 10),
    ).fit(X, y)
    assert [member.n_steps_in_ for member in ensemble.estimators_] == [5, 10]
    np.testing.assert_allclose(
        ensemble.predict(X),
        np.mean([ensemble.estimators_[0].predict(X[:, 5:]),
                 ensemble.estimators_[1].predict(X)], axis=0),
    )


def test_left_padded_windows_go_to_the_members_that_cover_them(ensemble, windows):
    X, y = windows
    padded = X.copy()
    padded[:2, :8] = np.nan  # 4 observed steps: below the shortest lookback (6)
    padded[2:5, :4] = np.nan  # 8 observed: only the lookback-6 member covers them
    with pytest.raises(ValueError, match="row 0 has 4 observed steps .* shortest lookback, 6"):
        ensemble.predict(padded)
    short, full = ensemble.estimators_
    forecast = ensemble.predict(padded[2:])
    np.testing.assert_allclose(forecast[:3], short.predict(X[2:5, -6:]))
    np.testing.assert_allclose(forecast[3:], ensemble.predict(X[5:]))
    # Fitting: each member on the windows that cover its lookback.
    refit = clone(ensemble).fit(padded[2:], y[2:])
    for member, rows, length in zip(refit.estimators_, (slice(2, None), slice(5, None)), (6, 12)):
        alone = clone(member).fit(X[rows, -length:], y[rows])
        np.testing.assert_allclose(member.predict(X[:, -length:]), alone.predict(X[:, -length:]),
                                   rtol=1e-5)


@pytest.mark.parametrize("where, value, message", [
    ((slice(0, 1), slice(3, 4)), np.nan, "NaN after an observed step .row 0."),
    ((slice(None), slice(0, 4)), np.nan, "no window has 12 observed steps"),
    ((slice(0, 1), slice(0, 1)), np.inf, "[Ii]nf"),
])
def test_nan_other_than_left_padding_is_a_value_error(windows, where, value, message):
    X, y = windows
    X = X.copy()
    X[where] = value
    with pytest.raises(ValueError, match=message):
        LookbackEnsemble(estimator=Seq2SeqAttentionRegressor(**TINY),
                         lookbacks=(6, 12)).fit(X, y)


def test_random_state_seeds_each_member(windows):
    base = Seq2SeqAttentionRegressor(**dict(TINY, random_state=None))
    ensemble = LookbackEnsemble(estimator=base, lookbacks=(6, 12), random_state=0)
    ensemble.fit(*windows)
    seeds = [member.random_state for member in ensemble.estimators_]
    assert all(isinstance(seed, int) for seed in seeds) and seeds[0] != seeds[1]
    again = clone(ensemble).fit(*windows)
    np.testing.assert_array_equal(again.predict(windows[0]), ensemble.predict(windows[0]))
    assert base.random_state is None  # the template is left as it was


def test_model_files_round_trip(ensemble, windows, tmp_path):
    path = tmp_path / "ensemble.skm"
    save(ensemble, path)
    loaded = load(path)
    assert isinstance(loaded, LookbackEnsemble)
    np.testing.assert_array_equal(loaded.predict(windows[0]), ensemble.predict(windows[0]))


def test_grid_search_over_members_and_lookbacks(windows):
    search = GridSearchCV(
        LookbackEnsemble(estimator=Seq2SeqAttentionRegressor(**TINY)),
        {"lookbacks": [(12,), (6, 12)], "estimator__attention": ["dot", "none"]},
        cv=TimeSeriesSplit(2),
    ).fit(*windows)
    assert set(search.best_params_) == {"lookbacks", "estimator__attention"}
    assert search.predict(windows[0][:2]).shape == (2, 3)


# -- SeedEnsemble ----------------------------------------------------------------------
def test_seed_ensemble_forecasts_the_median_of_members_seeded_differently(windows):
    X, y = windows
    ensemble = SeedEnsemble(estimator=Seq2SeqAttentionRegressor(**dict(TINY, max_epochs=3)),
                            n_estimators=3, random_state=0).fit(X, y)
    seeds = [member.random_state for member in ensemble.estimators_]
    assert len(set(seeds)) == 3 and ensemble.estimator.random_state == 0  # left untouched
    members = [member.predict(X) for member in ensemble.estimators_]
    assert not np.allclose(members[0], members[1])
    np.testing.assert_allclose(ensemble.predict(X), np.median(members, axis=0))
    mean = clone(ensemble).set_params(combine="mean").fit(X, y)
    np.testing.assert_allclose(mean.predict(X), np.mean(members, axis=0))
    weights = ensemble.attention_weights(X)
    np.testing.assert_allclose(weights, np.mean(
        [member.attention_weights(X) for member in ensemble.estimators_], axis=0))
    # Reproducible from its own random_state.
    again = clone(ensemble).fit(X, y)
    np.testing.assert_array_equal(again.predict(X), ensemble.predict(X))


def test_seed_ensemble_combines_quantiles_level_by_level(windows):
    X, y = windows
    member = Seq2SeqAttentionRegressor(quantiles=(0.1, 0.9), **TINY)
    ensemble = SeedEnsemble(estimator=member, n_estimators=3, random_state=0).fit(X, y)
    quantiles = ensemble.predict_quantiles(X)
    assert quantiles.shape == y.shape + (2,)
    assert np.all(np.diff(quantiles, axis=-1) >= 0)
    np.testing.assert_allclose(quantiles, np.sort(np.median(
        [m.predict_quantiles(X) for m in ensemble.estimators_], axis=0), axis=-1))
    assert not hasattr(SeedEnsemble(estimator=LookbackEnsemble()), "predict_quantiles")


def test_seed_ensemble_in_a_grid_search(windows):
    X, y = windows
    search = GridSearchCV(
        SeedEnsemble(estimator=Seq2SeqAttentionRegressor(**TINY), n_estimators=2),
        {"estimator__attention": ["dot", "general"]}, cv=TimeSeriesSplit(2),
    ).fit(X, y)
    assert search.best_params_["estimator__attention"] in ("dot", "general")


def test_padded_training_windows_give_each_member_every_window_of_its_lookback():
    # A panel with a long and a short series: windows of the longest lookback
    # (12) leave the short one out; padded down to the shortest lookback (4),
    # the member of lookback 4 trains on every window that observes 4 steps.
    rng = np.random.RandomState(0)
    panel = {"long": 3 + np.sin(np.arange(60) / 3) + 0.1 * rng.randn(60),
             "short": 50 + np.sin(np.arange(12) / 3) + 0.1 * rng.randn(12)}
    X_full, y_full = make_windows(panel, n_in=12, n_out=3)
    X, y = make_windows(panel, n_in=12, n_out=3, fill_value=np.nan, min_observed=4)
    short_only, _ = make_windows({"short": panel["short"]}, n_in=4, n_out=3)
    long_only, _ = make_windows({"long": panel["long"]}, n_in=4, n_out=3)
    assert len(X_full) == 46 and len(X) == len(short_only) + len(long_only)
    # No log transform: the statistics below are in the data's units.
    ensemble = LookbackEnsemble(
        estimator=Seq2SeqAttentionRegressor(target_transform=None, **TINY),
        lookbacks=(4, 12)).fit(X, y)
    members = ensemble.estimators_
    # The lookback-4 member trained on the 4-step windows of both series (the
    # short one's level is ~50, the long one's ~3): its statistics are theirs.
    expected = np.concatenate([short_only, long_only]).mean()
    np.testing.assert_allclose(members[0].scaler_.feature_mean_, [expected])
    assert members[0].n_features_in_ == 4
    # The lookback-12 member, the full windows only: the long series'.
    np.testing.assert_allclose(members[1].scaler_.feature_mean_, [X_full.mean()])


def test_the_default_member_is_one_network():
    # The regressor's own lookbacks="auto" would nest an ensemble in every member.
    member = LookbackEnsemble()._template()
    assert member.lookbacks is None and member.classical is None
