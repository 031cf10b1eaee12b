"""deepgen pipelines, one package each; found by ``find_pipelines``."""
