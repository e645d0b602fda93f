"""The live dashboard (`jiceng-app`): a Solara page over one or two running models.

`state` owns the models and their growing series, `controls` turns the config schema into
widgets, `views` draws the figures, `page` lays them out with Mesa's controller, `export`
writes what was watched as a `jiceng` run folder and `cli` serves it all on 127.0.0.1.
"""
