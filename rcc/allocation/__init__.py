"""The allocation layer: one engine placing a region's children in its homes.

- :mod:`rcc.allocation.network`: eligible edges (cohort x home within the rules), the council graph.
- :mod:`rcc.allocation.model`: the allocation model's named row blocks and ``define_*`` functions in PuLP
  (users' extra rules through :attr:`rcc.PlanParams.extra_constraints`, export, CBC).
- :mod:`rcc.allocation.highs`: the same model fed to HiGHS as numpy arrays (a slice of rows per block).
- :mod:`rcc.allocation.pricing`: the LP solved by pricing edges beyond a radius (duals read by block name).
- :mod:`rcc.allocation.greedy`: the nearest-available-home baseline.
- :mod:`rcc.allocation.classes`: interchangeable homes merged into classes, and class flows shared back.
- :mod:`rcc.allocation.frames`: a plan's placements and shortfall tables.
- :mod:`rcc.allocation.engine`: :func:`rcc.plan`, the only path to a :class:`~rcc.Plan` (with or without a
  scenario; :func:`~rcc.allocation.engine.prepare_allocation` to plan the same homes many times).
- :mod:`rcc.allocation.result`: :class:`~rcc.Plan`, :class:`~rcc.PlanStatus`, :class:`~rcc.SolveInfo`.
"""
