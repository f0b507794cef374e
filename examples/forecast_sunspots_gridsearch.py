"""
Sunspots: GridSearchCV over the attention score
===============================================

Chooses among Luong's four score functions by time-ordered
cross-validation (``TimeSeriesSplit``) on the training part, then reports
the test MASE of the refitted best model next to seasonal naive. The
regressor is an ordinary scikit-learn estimator, so ``GridSearchCV`` runs
its candidates in parallel worker processes (``n_jobs=2``). Measured
figures over several seeds are in
``benchmarks/results/forecast_accuracy.txt``.

Run it from the repository root (``--quick``: a few epochs only)::

    pip install -e '.[datasets,plots]'
    python examples/forecast_sunspots_gridsearch.py
"""

# %%
# Settings
# --------
# ``--quick``, or ``SK_SEQATTN_DOCS_QUICK=1`` (which the documentation build
# sets), trains for a few epochs only: the test suite's and the docs' run.
import argparse
import os

parser = argparse.ArgumentParser(description="GridSearchCV over the attention score.")
parser.add_argument("--quick", action="store_true", help="a few epochs only")
args = parser.parse_args()
quick = args.quick or os.environ.get("SK_SEQATTN_DOCS_QUICK") == "1"

# %%
# The search
# ----------
import matplotlib.pyplot as plt
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from sk_seqattn import Seq2SeqAttentionRegressor
from sk_seqattn.datasets import forecasting_split, load_sunspots
from sk_seqattn.metrics import mean_absolute_scaled_error, seasonal_naive
from sk_seqattn.plotting import plot_forecast

split = forecasting_split(load_sunspots(), n_in=44, n_out=11)
search = GridSearchCV(
    Seq2SeqAttentionRegressor(max_epochs=3 if quick else 100, random_state=0),
    {"attention": ["dot", "general", "concat", "location"]},
    cv=TimeSeriesSplit(n_splits=3),
    scoring="neg_mean_absolute_error",
    n_jobs=2,
)
search.fit(split.X_train, split.y_train)

for params, score in zip(search.cv_results_["params"], search.cv_results_["mean_test_score"]):
    print(f"{params['attention']:<9} CV MAE {-score:.1f}")
print("best:", search.best_params_)

# %%
# The refitted best model on the test part
# ----------------------------------------


def mase(prediction):
    return mean_absolute_scaled_error(split.y_test, prediction, split.train, m=11)


print(f"test MASE: seasonal naive {mase(seasonal_naive(split.X_test, 11, 11)):.3f}, "
      f"best model {mase(search.predict(split.X_test)):.3f}")

ax = plot_forecast(split.X_test[-1], split.y_test[-1], search.predict(split.X_test[-1:])[0])
ax.set_title("Yearly sunspots: 44 years in, 11 forecast")
plt.show()
