from .pipeline import create_pipeline, unit_scaled_inputs

__all__ = ["create_pipeline", "unit_scaled_inputs"]
