"""The scaling parts on their own: TargetTransform and WindowScaler."""

import numpy as np
import pytest

from sk_seqattn.forecasting.scaling import TargetTransform, WindowScaler


def _windows(seed=0, n=50, n_steps=8, n_features=2):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, n_steps, n_features)) * rng.uniform(0.5, 4.0, (n, 1, n_features))
            + rng.uniform(-30.0, 30.0, (n, 1, n_features)))


@pytest.mark.parametrize("normalize", ["window", "global", None])
def test_inverse_undoes_scale_targets(normalize):
    window = _windows()
    scaler = WindowScaler(normalize, target_features=[1]).fit(window)
    scaled = scaler.transform(window)
    y = np.random.default_rng(1).normal(size=(50, 3, 1)) * 10
    np.testing.assert_allclose(scaler.inverse(scaler.scale_targets(y, scaled), scaled), y)
    # A last axis of quantile levels shares each window's statistics.
    levels = np.stack([y, y + 1.0], axis=-1)  # (50, 3, 1, 2)
    back = scaler.inverse(np.stack([scaler.scale_targets(y, scaled)] * 2, axis=-1), scaled)
    np.testing.assert_allclose(back[..., 0], levels[..., 0])


def test_window_normalisation_standardises_each_window_and_feature():
    window = _windows()
    scaled = WindowScaler("window", target_features=[0]).fit(window).transform(window)
    np.testing.assert_allclose(scaled.window.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(scaled.window.std(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(scaled.mean[:, 0, 0], window[:, :, 0].mean(axis=1))
    assert scaled.level is None


def test_global_normalisation_uses_the_training_statistics():
    window = _windows()
    scaler = WindowScaler("global").fit(window[:25])
    np.testing.assert_allclose(scaler.feature_mean_, window[:25].mean(axis=(0, 1)))
    scaled = scaler.transform(window)
    np.testing.assert_allclose(scaled.window, (window - scaler.feature_mean_)
                               / scaler.feature_scale_)


def test_window_statistics_are_each_windows_level_and_spread_against_the_training_ones():
    window = _windows()
    scaler = WindowScaler("window", window_stats=True).fit(window)
    level = scaler.transform(window).level  # (n, 2 * n_features)
    relative_scale = window.std(axis=1) / scaler.feature_scale_
    relative_mean = (window.mean(axis=1) - scaler.feature_mean_) / scaler.feature_scale_
    np.testing.assert_allclose(level, np.hstack([1 / relative_scale,
                                                 relative_mean / relative_scale]))


def test_known_future_features_are_normalised_as_their_history():
    window = _windows()
    future = np.random.default_rng(2).normal(size=(50, 3, 1))
    scaled = WindowScaler("window", future_features=[1]).fit(window).transform(window, future)
    mean, std = window[:, :, 1].mean(axis=1), window[:, :, 1].std(axis=1)
    np.testing.assert_allclose(scaled.future[:, :, 0],
                               (future[:, :, 0] - mean[:, None]) / std[:, None])


def test_a_constant_window_gets_a_typical_spread_not_the_floor():
    window = _windows(n_features=1)
    scaler = WindowScaler().fit(window)
    typical = np.median(window.std(axis=1), axis=0)
    np.testing.assert_allclose(scaler.window_scale_floor_, 1e-3 * typical)
    constant = np.full((1, 8, 1), 7.0)
    scaled = scaler.transform(constant)
    np.testing.assert_allclose(scaled.scale.ravel(), typical)
    np.testing.assert_array_equal(scaled.window, 0.0)


@pytest.mark.parametrize("kind, forward, inverse", [
    ("log", np.log, np.exp), ("log1p", np.log1p, np.expm1),
])
def test_target_transform_on_the_history_and_back(kind, forward, inverse):
    X = np.abs(_windows()) + 1.0  # (n, 8, 2); feature 1 is the target
    transform = TargetTransform(kind, target_features=[1], n_steps=6)
    transformed = transform.transform_X(X)
    np.testing.assert_allclose(transformed[:, :6, 1], forward(X[:, :6, 1]))
    np.testing.assert_array_equal(transformed[:, :, 0], X[:, :, 0])  # a covariate
    np.testing.assert_array_equal(transformed[:, 6:, 1], X[:, 6:, 1])  # the future part
    y = X[:, :3, 1]
    np.testing.assert_allclose(transform.inverse(transform.transform_y(y)), y)
    assert TargetTransform(None).transform_y(y) is y


@pytest.mark.parametrize("kind, bad, message", [
    ("log", 0.0, "needs positive values, but y has a minimum of 0.0. Use 'log1p'"),
    ("log1p", -1.0, "needs >= 0 values, but y has a minimum of -1.0"),
])
def test_target_transform_names_values_outside_its_domain(kind, bad, message):
    with pytest.raises(ValueError, match=message):
        TargetTransform(kind).transform_y(np.array([1.0, bad]))
