from .pipeline import report_pipeline, trial_pipelines

__all__ = ["report_pipeline", "trial_pipelines"]
