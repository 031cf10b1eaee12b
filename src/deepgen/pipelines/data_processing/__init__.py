from .pipeline import create_pipeline, model_inputs, unit_scaled_inputs

__all__ = ["create_pipeline", "model_inputs", "unit_scaled_inputs"]
