"""The analysis layer: pooling scenarios, Monte Carlo sweeps and cost sharing, all on :func:`rcc.plan`.

- :mod:`rcc.analysis.rules`: :class:`~rcc.Scenario` (pooling rules, growth rates, new homes, incentives).
- :mod:`rcc.analysis.metrics`: per-council and group metrics of a plan.
- :mod:`rcc.analysis.comparison`: :func:`~rcc.compare`, :class:`~rcc.Comparison`, the capacity skew.
- :mod:`rcc.analysis.parallel`: executors (default ``"serial"`` everywhere), payloads, progress.
- :mod:`rcc.analysis.sweeps`: :func:`~rcc.sweep` over demand draws.
- :mod:`rcc.analysis.games`: cooperative games: Shapley values, the core, the least core.
- :mod:`rcc.analysis.sharing`: the pooling game and :func:`~rcc.share_savings`.
- :mod:`rcc.analysis.summary`: :func:`~rcc.side_by_side` (plans' headline metrics) and :func:`~rcc.trade_off`.
- :mod:`rcc.analysis.scenarios`: rcc 0.2's names (re-exported) and deprecated solve paths.
"""
