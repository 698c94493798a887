"""Evidence about the question: global sensitivity (Morris, Sobol) and scenario discovery (PRIM).

- `sensitivity`: how much each parameter moves coalition minus separate (SALib), from an
  experiment's results folder or from any Python callable;
- `discovery`: the boxes of parameter space where one mode settles sooner (EMA Workbench's
  PRIM, scikit-learn's CART as a second view), from a sweep's results folder or a
  DataFrame.

SALib is a dependency; discovery needs the `evidence` extra (EMA Workbench, scikit-learn):
`pip install 'bargainsim[evidence]'`.
"""
