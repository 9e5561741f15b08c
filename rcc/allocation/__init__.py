"""The allocation layer: one engine placing a region's children in its homes.

- :mod:`rcc.allocation.network`: eligible edges (cohort x home within the rules), the council graph.
- :mod:`rcc.allocation.model`: the allocation model's ``define_*`` functions in PuLP (users' extra rules, export, CBC).
- :mod:`rcc.allocation.highs`: the same model fed to HiGHS as numpy arrays.
- :mod:`rcc.allocation.greedy`: the nearest-available-home baseline.
- :mod:`rcc.allocation.engine`: :func:`rcc.plan`, the only path to a :class:`~rcc.Plan`.
- :mod:`rcc.allocation.result`: :class:`~rcc.Plan`, :class:`~rcc.PlanStatus`, :class:`~rcc.SolveInfo`.
"""
