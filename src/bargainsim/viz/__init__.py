"""The classroom app: a Mesa SolaraViz page over the bargaining model (`bargainsim viz`).

Needs the `viz` extra (Solara, Altair, ipyvuetify < 2). `model.py` knows nothing of it:
`observed.py` reads the model after each step, `plots.py` draws, `app.py` builds the page,
`server.py` serves it, `frontend.py` puts Solara's front-end files where the server finds
them without a public CDN.
"""
