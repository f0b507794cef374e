"""GridSearchCV on a real dask.distributed cluster (worker processes on localhost)."""

import numpy as np
from dask.distributed import Client, LocalCluster
from joblib import parallel_config
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from sk_seqattn import Seq2SeqAttentionRegressor, make_windows


def threads_used_in_fit(estimator, X, y):
    # Runs on the worker that fitted this candidate.
    return estimator.n_threads_


def test_grid_search_under_the_dask_backend():
    X, y = make_windows(np.sin(np.arange(160) / 4), n_in=12, n_out=3)
    grid = {"attention": ["dot", "general", "concat", "location"]}
    estimator = Seq2SeqAttentionRegressor(hidden_size=8, max_epochs=2, random_state=0)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        with parallel_config(backend="dask"):
            search = GridSearchCV(
                estimator, grid, cv=TimeSeriesSplit(2),
                scoring={"r2": "r2", "threads": threads_used_in_fit}, refit="r2",
            ).fit(X, y)
        workers = {w["id"] for w in client.scheduler_info()["workers"].values()}
    assert len(workers) == 2
    assert search.best_params_["attention"] in grid["attention"]
    assert np.isfinite(search.cv_results_["mean_test_r2"]).all()
    # dask's nanny sets OMP_NUM_THREADS=1 in its workers: one torch thread each.
    assert set(search.cv_results_["mean_test_threads"]) == {1.0}
    # Same candidates, same seeds: the cluster reproduces a local search.
    local = GridSearchCV(estimator, grid, cv=TimeSeriesSplit(2), scoring="r2").fit(X, y)
    np.testing.assert_allclose(local.cv_results_["mean_test_score"],
                               search.cv_results_["mean_test_r2"], rtol=1e-5)
