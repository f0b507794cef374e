import numpy as np
import pytest

from sk_seqattn.metrics import mean_absolute_scaled_error, seasonal_naive


def test_seasonal_naive_repeats_the_last_season():
    X = np.arange(12.0).reshape(2, 6)
    np.testing.assert_array_equal(seasonal_naive(X, horizon=5, m=2), [[4, 5, 4, 5, 4],
                                                                       [10, 11, 10, 11, 10]])
    with pytest.raises(ValueError, match="at least m=7"):
        seasonal_naive(X, 3, 7)


def test_mase_scales_by_the_in_sample_naive_error():
    train = np.array([0.0, 2, 0, 2, 0])  # lag-1 naive MAE = 2
    assert mean_absolute_scaled_error([1.0, 1], [2.0, 4], train) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="constant at lag m"):
        mean_absolute_scaled_error([1.0], [1.0], train, m=2)
    with pytest.raises(ValueError, match="differ in shape"):
        mean_absolute_scaled_error([1.0], [1.0, 2.0], train)
