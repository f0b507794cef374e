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
