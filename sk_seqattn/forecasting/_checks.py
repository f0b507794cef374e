"""Input checks of the forecasters on windows: X, y, and the feature positions.

A mixin of :class:`~sk_seqattn.Seq2SeqAttentionRegressor` and
:class:`~sk_seqattn.LinearFloorRegressor`, which take the same windows and
the same ``future_features`` and ``target_features``: each check raises a
``ValueError`` that names the argument and what was expected.
"""

import re

import numpy as np
from sklearn.utils.validation import check_array, check_consistent_length, validate_data

from .panel_windows import PanelWindows

__all__ = []


class _WindowInputChecks:
    """Check windows and their targets; set and use the shape attributes they fix."""

    # True: X may hold NaN, which the estimator checks itself (a left padding).
    _nan_left_padding = False

    def __sklearn_tags__(self):
        # Windows of one or several features; y with a horizon and targets.
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.single_output = True
        tags.target_tags.multi_output = True
        return tags

    def _validate_windows(self, X, y=None, reset=False):
        """Checked ``X`` of shape (n_samples, n_steps, n_features) and ``y`` of shape
        (n_samples, horizon, n_targets) (None when not given).

        With ``reset`` (``fit``), also sets ``n_input_features_``,
        ``horizon_``, ``n_targets_``, ``target_features_``,
        ``future_features_`` and ``n_steps_in_`` from them.
        """
        X = self._check_X(X, reset=reset)
        if reset:
            y, self._y_ndim = self._check_y(X, y)
            self.horizon_, self.n_targets_ = y.shape[1], y.shape[2]
            self.n_input_features_ = X.shape[2]
            self.target_features_ = self._resolve_target_features()
            self.future_features_ = self._resolve_future_features(X.shape[1])
            self.n_steps_in_ = X.shape[1] - (
                0 if self.future_features_ is None else self.horizon_)
        self._check_future_part(X)
        return X, y

    def _split_future(self, X):
        """``X`` split into its input window and its known-future features (or None)."""
        if self.future_features_ is None:
            return X, None
        return X[:, : self.n_steps_in_], X[:, self.n_steps_in_:, self.future_features_]

    def _as_y_rank(self, prediction):
        """(n, horizon, n_targets[, n_quantiles]) forecasts at the rank of ``y`` in ``fit``."""
        if self._y_ndim == 1:  # horizon and targets of 1
            return prediction.reshape(len(prediction), *prediction.shape[3:])
        if self._y_ndim == 2:  # one target
            return prediction[:, :, 0]
        return prediction

    def _resolve_future_features(self, n_steps):
        """Check ``future_features`` against X (``n_steps`` steps); positions or None."""
        if self.future_features is None:
            return None
        positions = self._feature_positions("future_features", self.future_features)
        if len(set(positions.tolist())) != len(positions):
            raise ValueError(f"future_features has duplicates: {positions.tolist()}.")
        clash = sorted(set(positions.tolist()) & set(self.target_features_.tolist()))
        if clash:
            raise ValueError(
                f"future_features {clash} are target features: a target is not known "
                "in advance."
            )
        if n_steps <= self.horizon_:
            raise ValueError(
                f"With future_features, X spans n_in + horizon steps; got {n_steps} "
                f"steps for a horizon of {self.horizon_}, which leaves no input window."
            )
        return positions

    def _check_future_part(self, X):
        # With future_features, X is checked for NaN here, not in _check_X:
        # the unknown features of the future steps may be NaN.
        if self.future_features_ is None:
            return
        if X.shape[1] != self.n_steps_in_ + self.horizon_:
            raise ValueError(
                f"X has {X.shape[1]} steps, but {type(self).__name__} was fitted with "
                f"{self.n_steps_in_} input steps + {self.horizon_} known-future steps."
            )
        if not np.isfinite(X[:, : self.n_steps_in_]).all():
            raise ValueError(
                f"X has NaN or infinite values in its input window (the first "
                f"{self.n_steps_in_} steps)."
            )
        if not np.isfinite(X[:, self.n_steps_in_:, self.future_features_]).all():
            raise ValueError(
                "The known-future features of X (future_features="
                f"{self.future_features_.tolist()}) have NaN or infinite values in "
                f"the last {self.horizon_} steps."
            )

    def _check_X(self, X, reset):
        if isinstance(X, PanelWindows):
            raise TypeError(
                f"{type(self).__name__} takes windows here, not a PanelWindows (only "
                "Seq2SeqAttentionRegressor.fit takes one): forecast the ends of its series "
                "with forecast_panel(estimator, panel), or cut windows with "
                "panel.windows(rows).")
        try:
            X = validate_data(
                self, X, reset=reset, allow_nd=True, dtype=[np.float64, np.float32],
                # The unknown part of the known-future steps may be NaN; see
                # _check_future_part.
                ensure_all_finite="allow-nan" if self._nan_left_padding
                else self.future_features is None if reset
                else getattr(self, "future_features_", None) is None,
            )
        except ValueError as error:
            raise ValueError(_one_line("X", error)) from None
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 2:
            X = X[:, :, None]  # (n_samples, n_steps, 1)
        elif X.ndim != 3:
            raise ValueError(
                "X must be 2-D (n_samples, n_steps) or 3-D (n_samples, n_steps, "
                f"n_features); got an array of shape {X.shape}."
            )
        if X.shape[2] == 0:
            raise ValueError("X has 0 features per step; at least 1 is required.")
        if not reset and X.shape[2] != self.n_input_features_:
            raise ValueError(
                f"X has {X.shape[2]} features per step, but "
                f"{type(self).__name__} was fitted with {self.n_input_features_}."
            )
        return X

    def _check_y(self, X, y):
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        try:
            y = check_array(
                y, ensure_2d=False, allow_nd=True, dtype=np.float64, input_name="y",
            )
        except ValueError as error:
            raise ValueError(_one_line("y", error)) from None
        check_consistent_length(X, y)
        if y.ndim not in (1, 2, 3):
            raise ValueError(
                "y must be 1-D (n_samples,), 2-D (n_samples, horizon) or 3-D "
                f"(n_samples, horizon, n_targets); got an array of shape {y.shape}."
            )
        if y.ndim > 1 and 0 in y.shape[1:]:
            raise ValueError(f"y of shape {y.shape} has an empty horizon or target axis.")
        return y.reshape(y.shape[0], y.shape[1] if y.ndim > 1 else 1, -1), y.ndim

    def _resolve_target_features(self):
        n_features = self.n_input_features_
        if self.target_features is None or n_features == 1:
            if self.n_targets_ > n_features:
                raise ValueError(
                    f"y has {self.n_targets_} targets per step but X has only "
                    f"{n_features} feature(s) per step; the targets' history must "
                    "be among X's features (see target_features)."
                )
            return np.arange(self.n_targets_)
        positions = self._feature_positions("target_features", self.target_features)
        if len(positions) != self.n_targets_:
            raise ValueError(
                f"target_features names {len(positions)} feature(s) but y has "
                f"{self.n_targets_} target(s) per step."
            )
        return positions

    def _feature_positions(self, name, value):
        """``value`` (an int or list of ints) as positions among X's features, checked."""
        positions = np.atleast_1d(np.asarray(value))
        n_features = self.n_input_features_
        if positions.ndim != 1 or positions.size == 0 \
                or not np.issubdtype(positions.dtype, np.integer):
            raise ValueError(f"{name} must be an int or a non-empty list of ints, got {value!r}.")
        if positions.min() < 0 or positions.max() >= n_features:
            raise ValueError(
                f"{name} {positions.tolist()} is out of range for X with {n_features} "
                "feature(s) per step."
            )
        return positions


def observed_steps(X):
    """Per window, its steps after a NaN left padding: ``(n_samples,)`` ints.

    ``X`` is (n_samples, n_steps) or (n_samples, n_steps, n_features); a
    step is padding if any of its values is NaN, and padding must come
    before every observed step, else a ``ValueError`` names the row.
    """
    missing = np.isnan(X)
    if missing.ndim == 3:
        missing = missing.any(axis=2)  # (n_samples, n_steps)
    n_missing = missing.sum(axis=1)
    # Padding is a prefix: the first n_missing steps of each row.
    is_prefix = missing == (np.arange(missing.shape[1]) < n_missing[:, None])
    if not is_prefix.all():
        row = int(np.argmin(is_prefix.all(axis=1)))
        raise ValueError(
            f"X holds NaN after an observed step (row {row}); NaN is only accepted as left "
            "padding, before a series starts (as last_windows(..., fill_value=np.nan) "
            "pads it).")
    return missing.shape[1] - n_missing


def _one_line(name, error):
    """scikit-learn's or numpy's message about ``name``, on one line and naming it.

    scikit-learn's messages span lines: a 1-D array's prints the data
    (dropped here), a NaN's adds advice about other estimators (only its
    first line is kept); numpy's (ragged windows, strings) do not say
    which argument they are about.
    """
    lines = [line.strip() for line in str(error).splitlines()
             if line.strip() and not line.strip().startswith("array=")]
    if not lines:
        return f"{name} is not a valid numeric array."
    message = " ".join(lines) if lines[0].endswith(":") else lines[0]
    if re.search(r"0 sample\(s\)", message):
        return f"{name} is empty: {message}"
    if not re.search(rf"\b{re.escape(name)}\b", message):
        message = f"{name} must be a numeric array of equal-length windows: {message}"
    return message
