import numpy as np
import pytest

from sklearn.metrics import mean_pinball_loss as sklearn_pinball

from sk_seqattn.metrics import (
    interval_coverage, mean_absolute_scaled_error, mean_pinball_loss, seasonal_naive,
)


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


def test_translation_metrics():
    from sk_seqattn.metrics import corpus_bleu, corpus_chrf, exact_match
    refs = ["the cat sat on the mat", "a dog"]
    assert exact_match(refs, refs) == 1.0 and exact_match(refs, ["x", "a dog"]) == 0.5
    assert corpus_bleu(refs, refs) == pytest.approx(100.0)
    assert 0 < corpus_bleu(refs, ["the cat sat on a mat", "a dog"]) < 100
    assert corpus_chrf(refs, refs) == pytest.approx(100.0)
    with pytest.raises(ValueError, match="different lengths"):
        exact_match(refs, ["x"])
    with pytest.raises(TypeError, match=r"y_pred\[0\] is int"):
        corpus_bleu(refs, [1, 2])


def test_scorers_in_grid_search():
    from sklearn.model_selection import GridSearchCV

    from sk_seqattn import Seq2SeqAttentionTranslator
    from sk_seqattn.metrics import chrf_scorer
    X = ["ab", "ba", "abb", "bba", "aab", "baa"] * 4
    y = [s[::-1] for s in X]
    search = GridSearchCV(
        Seq2SeqAttentionTranslator(embedding_dim=4, hidden_size=8, max_epochs=1, random_state=0),
        {"attention": ["dot", "none"]}, scoring=chrf_scorer, cv=2,
    ).fit(X, y)
    assert 0 <= search.best_score_ <= 100


def test_mean_pinball_loss_is_sklearns_averaged_over_levels():
    rng = np.random.RandomState(0)
    y_true = rng.randn(20, 3)
    y_quantiles = np.sort(rng.randn(20, 3, 2), axis=-1)
    levels = (0.2, 0.7)
    expected = np.mean([sklearn_pinball(y_true.ravel(), y_quantiles[..., k].ravel(), alpha=q)
                        for k, q in enumerate(levels)])
    assert mean_pinball_loss(y_true, y_quantiles, levels) == pytest.approx(expected)


def test_interval_coverage_counts_the_bounds_as_inside():
    assert interval_coverage([0.0, 1.0, 2.0, 3.0], [[0, 1], [0, 1], [0, 1], [0, 5]]) == 0.75


@pytest.mark.parametrize("call, match", [
    (lambda: mean_pinball_loss([1.0], [[1.0, 2.0]], [0.5]), "levels"),
    (lambda: mean_pinball_loss([1.0], [[1.0, 2.0]], [0.0, 0.5]), "strictly between"),
    (lambda: mean_pinball_loss([1.0, 2.0], [[1.0, 2.0]], [0.1, 0.9]), "y_true's shape"),
    (lambda: interval_coverage([np.nan], [[1.0, 2.0]]), "finite"),
    (lambda: interval_coverage([], np.zeros((0, 2))), "empty"),
])
def test_quantile_metrics_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_exact_match_weights_and_empty_input():
    from sk_seqattn.metrics import exact_match
    assert exact_match(["a", "b"], ["a", "x"], sample_weight=[3, 1]) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="empty"):
        exact_match([], [])


def test_epoch_log_has_no_colour_codes_in_a_pipe():
    # skorch colours the best scores; a log file or pipe must not get the codes.
    import subprocess
    import sys
    code = ("import numpy as np\n"
            "from sk_seqattn import Seq2SeqAttentionRegressor\n"
            "X, y = np.random.RandomState(0).randn(30, 5), np.random.RandomState(1).randn(30, 2)\n"
            "Seq2SeqAttentionRegressor(hidden_size=4, max_epochs=3, verbose=1,\n"
            "                          random_state=0).fit(X, y)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "train_loss" in done.stdout and "\x1b[" not in done.stdout
