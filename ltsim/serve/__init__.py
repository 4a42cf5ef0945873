"""``ltsim serve``: the what-if view in the browser.

- ``levers``: the levers a scenario offers, with their values and sources;
- ``overrides``: lever values → scenario overrides (only the changed keys), validated by the loader
  the CLI uses, and the variant file;
- ``views``: a run's figures as plain JSON, read off the pipeline's results;
- ``app``: the ASGI app (Starlette) holding the opened scenario, and its background jobs
  (optimise, Monte Carlo);
- ``static/``: the page (HTML, script, style); plotly comes from :mod:`ltsim.report`'s package data.
"""
