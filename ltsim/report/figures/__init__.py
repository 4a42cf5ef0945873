"""The report's figures as plotly JSON specs, one module per section of the page.

``common`` (colours, the shared layout, :class:`~ltsim.report.figures.common.Figures`), ``population``,
``capacity``, ``housing``, ``projects`` and ``finance``. Each ``fig_*`` function adds one chart to a
:class:`~ltsim.report.figures.common.Figures` from the numbers of :mod:`ltsim.report.data` and returns its
id, or None when the run folder has nothing to show.
"""
