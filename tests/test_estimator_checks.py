"""scikit-learn's estimator checks on every estimator, with each exemption and its reason.

The translator and the tokenizers take strings (``input_tags.string``, no
``two_d_array``): ``parametrize_with_checks`` then runs only
``check_estimator_cloneable`` on them. The API checks that need no numeric
data are called on them directly below, and text versions of the fit checks
(parameters untouched by fit, no public attributes added, not-fitted errors,
pickling) are written out here; behaviour is in test_translator.py and
test_tokenizers.py.
"""

import pickle

import joblib
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import (
    check_get_params_invariance, check_no_attributes_set_in_init,
    check_parameters_default_constructible, check_set_params, parametrize_with_checks,
)

from sk_seqattn import (
    BPETokenizer, CharTokenizer, ConformalForecaster, ForecastCombination, LinearFloorRegressor,
    LookbackEnsemble, SeedEnsemble, Seq2SeqAttentionRegressor, Seq2SeqAttentionTranslator,
    ThetaWindowRegressor, WordTokenizer,
)

# Small and quick: the checks fit dozens of times on tiny data.
ESTIMATORS = [
    Seq2SeqAttentionRegressor(hidden_size=8, max_epochs=2, batch_size=16),
    Seq2SeqAttentionRegressor(attention="location", input_feeding=True,
                              hidden_size=8, max_epochs=2, batch_size=16),
    Seq2SeqAttentionRegressor(quantiles=(0.1, 0.9), floor=None,
                              hidden_size=8, max_epochs=2, batch_size=16),
    Seq2SeqAttentionRegressor(alignment="local-p", input_feeding=True,
                              net_params={"module__local_width": 2},
                              hidden_size=8, max_epochs=2, batch_size=16),
    LinearFloorRegressor(),
    LinearFloorRegressor(alpha=1.0, lookback=None),
    LookbackEnsemble(estimator=Seq2SeqAttentionRegressor(hidden_size=8, max_epochs=2,
                                                         batch_size=16),
                     lookbacks=(0.5, 1.0)),
    SeedEnsemble(estimator=Seq2SeqAttentionRegressor(hidden_size=8, max_epochs=2,
                                                     batch_size=16), n_estimators=2),
    # A seeded member: the wrapper itself draws nothing at random.
    ConformalForecaster(estimator=Seq2SeqAttentionRegressor(quantiles=(0.1, 0.9), hidden_size=8,
                                                            max_epochs=2, batch_size=16,
                                                            random_state=0)),
    ThetaWindowRegressor(),
    ThetaWindowRegressor(season_length=2),
    ForecastCombination(estimators=[("floor", LinearFloorRegressor()),
                                    ("theta", ThetaWindowRegressor())], weights=[3, 1]),
    Seq2SeqAttentionTranslator(embedding_dim=4, hidden_size=8, max_epochs=1),
    Seq2SeqAttentionTranslator(embedding_dim=4, hidden_size=8, max_epochs=1, copy_attention=True),
    CharTokenizer(),
    WordTokenizer(),
    BPETokenizer(),
]

EXPECTED_FAILED_CHECKS = {
    "ThetaWindowRegressor": {
        "check_estimators_nan_inf": (
            "NaN at the start of a window is left padding, which the Theta method "
            "accepts by design (it fits the observed steps); the check's NaN is at X[0, 0]. "
            "NaN after an observed step and inf are ValueErrors "
            "(test_classical.py::test_nan_other_than_left_padding_is_a_value_error)."
        ),
    },
    "LookbackEnsemble": {
        "check_estimators_nan_inf": (
            "NaN at the start of a window is left padding (steps before a series "
            "starts), which the ensemble accepts by design; the check's NaN is at X[0, 0]. "
            "NaN after an observed step and inf are ValueErrors "
            "(test_ensemble.py::test_nan_other_than_left_padding_is_a_value_error)."
        ),
    },
}


# The regressor with point forecasts: "auto" takes windows that begin with
# NaN for left-padded ones, and fits networks over several lookbacks.
_REGRESSOR_LEFT_PADDING = {
    "check_estimators_nan_inf": (
        "NaN at the start of a window is left padding, which lookbacks='auto' takes "
        "(networks over several lookbacks, each on the windows that cover it); the check's "
        "NaN is at X[0, 0]. NaN after an observed step, inf, and NaN for one network "
        "(lookbacks=None) are ValueErrors (test_auto.py::"
        "test_padded_windows_need_several_lookbacks, test_bad_inputs.py)."
    ),
}


def expected_failed_checks(estimator):
    member = estimator.estimator if isinstance(estimator, SeedEnsemble) else estimator
    if isinstance(member, Seq2SeqAttentionRegressor) and member.quantiles is None:
        return _REGRESSOR_LEFT_PADDING
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)


STRING_ESTIMATORS = [est for est in ESTIMATORS if isinstance(
    est, (Seq2SeqAttentionTranslator, CharTokenizer, WordTokenizer, BPETokenizer))]
TEXTS = ["abc", "cab", "bca", "a b c", "ccc", "ab"] * 3


def _ids(estimators):
    return [type(est).__name__ for est in estimators]


@pytest.mark.parametrize("estimator", STRING_ESTIMATORS, ids=_ids(STRING_ESTIMATORS))
@pytest.mark.parametrize("check", [
    check_no_attributes_set_in_init, check_get_params_invariance, check_set_params,
])
def test_string_estimators_api_checks(estimator, check):
    check(type(estimator).__name__, clone(estimator))


@pytest.mark.parametrize("estimator", STRING_ESTIMATORS, ids=_ids(STRING_ESTIMATORS))
def test_string_estimators_default_constructible(estimator):
    check_parameters_default_constructible(type(estimator).__name__, clone(estimator))


@pytest.mark.parametrize("estimator", STRING_ESTIMATORS, ids=_ids(STRING_ESTIMATORS))
def test_string_estimators_fit_leaves_params_and_adds_only_fitted_attributes(estimator):
    estimator = clone(estimator)
    method = "predict" if hasattr(estimator, "predict") else "transform"
    with pytest.raises(NotFittedError):
        getattr(estimator, method)(TEXTS)
    params = {k: joblib.hash(v) for k, v in estimator.get_params().items()}
    public_before = {k for k in vars(estimator) if not k.startswith("_")}
    estimator.fit(TEXTS, [t.upper() for t in TEXTS])
    assert {k: joblib.hash(v) for k, v in estimator.get_params().items()} == params
    added = {k for k in vars(estimator) if not k.startswith("_")} - public_before
    assert added and all(name.endswith("_") for name in added)
    output = getattr(estimator, method)(TEXTS)
    restored = pickle.loads(pickle.dumps(estimator))
    assert [list(a) if hasattr(a, "__len__") else a for a in getattr(restored, method)(TEXTS)] \
        == [list(a) if hasattr(a, "__len__") else a for a in output]


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_ids(ESTIMATORS))
def test_parameters_are_keyword_only(estimator):
    # As in scikit-learn: Seq2SeqAttentionTranslator("dot", 64) must not
    # silently set embedding_dim.
    import inspect
    parameters = list(inspect.signature(type(estimator).__init__).parameters.values())[1:]
    assert parameters and all(p.kind is p.KEYWORD_ONLY for p in parameters)
