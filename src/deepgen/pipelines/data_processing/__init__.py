from .pipeline import create_pipeline, held_out_inputs, model_inputs, training_inputs

__all__ = ["create_pipeline", "model_inputs", "held_out_inputs", "training_inputs"]
