"""Forecasting: numeric windows in, multi-step forecasts out.

- :mod:`.windows`: cut series and panels into ``(X, y)`` windows, the last
  window of every series, calendar features, forecasts as a DataFrame.
- :mod:`.panel_windows`: :class:`PanelWindows`, a panel's windows cut on
  demand from series held once (for panels larger than memory), and
  :func:`forecast_panel`.
- :mod:`.scaling`: the parts that map windows to a network's units and
  back (:class:`TargetTransform`, :class:`WindowScaler`).
- :mod:`.floor`: :class:`LinearFloorRegressor`, the ridge on normalised
  windows that the network corrects; a baseline in its own right.
- :mod:`.classical`: :class:`ThetaWindowRegressor`, the Theta method fitted
  on each window, vectorised over windows.
- :mod:`.regressor`: :class:`Seq2SeqAttentionRegressor`, the network
  around those parts.
- :mod:`.conformal`, :mod:`.ensemble` and :mod:`.combination`: wrappers
  around any forecaster (:class:`ConformalForecaster`,
  :class:`LookbackEnsemble`, :class:`SeedEnsemble`,
  :class:`ForecastCombination`).
"""
