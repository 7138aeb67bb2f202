"""``scosim explore``: an interactive scenario explorer in the browser.

The page (:mod:`scosim.explore.app`, a Streamlit script) is a thin front end:
forms are generated from the scenario schema (:mod:`~scosim.explore.forms`),
runs and comparisons go through the library's API
(:mod:`~scosim.explore.session`) and figures are drawn from the same data
functions as the PNG plots (:mod:`~scosim.explore.figures`). Streamlit and
plotly are optional: ``pip install "scosim[explore]"``.
"""
