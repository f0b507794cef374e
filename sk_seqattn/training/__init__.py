"""The skorch layer between the estimators and the torch networks.

- :mod:`.net`: the skorch nets (teacher forcing through ``target=``,
  free-running validation), losses, datasets, batch samplers and the
  time-ordered validation split.
- :mod:`.base`: the estimator base both estimators share: the network and
  training parameters, building a net from them, and torch's global state
  (threads, RNG, denormals) around every fit and predict.
"""
