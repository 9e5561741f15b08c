"""The analysis layer: pooling scenarios, Monte Carlo sweeps and cost sharing, all on :func:`rcc.plan`.

- :mod:`rcc.analysis.scenarios`: :class:`~rcc.Scenario` rules, :func:`~rcc.compare`, :class:`~rcc.Comparison`.
- :mod:`rcc.analysis.sweeps`: :func:`~rcc.sweep` over demand draws.
- :mod:`rcc.analysis.sharing`: pooling games, Shapley values, the core.
"""
