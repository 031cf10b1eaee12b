"""deepgen's pipelines, one package each; the tags their nodes carry are named here.

Importing this package loads no TensorFlow: settings.py reads the tags from it."""

FIGURES = "figures"  # nodes that only draw (the latent sweep leaves them out)
REPORT = "report"  # nodes whose outputs go to a W&B run of their namespace's name
