"""Evidence about the question: sensitivity, scenario discovery, calibration to history.

- `sensitivity`: how much each parameter moves coalition minus separate (SALib), from an
  experiment's results folder or from any Python callable;
- `discovery`: the boxes of parameter space where one mode settles sooner (EMA Workbench's
  PRIM, scikit-learn's CART as a second view), from a sweep's results folder or a
  DataFrame;
- `calibration` (with `calibration_file`, `strikes_model`, `abc_sampler`, `overrides`):
  ABC-SMC (pyabc) of parameters shared by the historical strikes, the same posterior
  with any workers or executor, resumable; `posterior`: the posterior file that `run`,
  `compare` and `sweep` draw from by seed; `validation`: held-out strikes and
  leave-one-out; `commands`: their command line.

SALib is a dependency; discovery and calibration need the `evidence` extra (EMA Workbench,
scikit-learn, pyabc): `pip install 'bargainsim[evidence]'`.
"""
