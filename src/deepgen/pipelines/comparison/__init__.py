from .pipeline import create_pipeline, over_seeds_pipeline

__all__ = ["create_pipeline", "over_seeds_pipeline"]
