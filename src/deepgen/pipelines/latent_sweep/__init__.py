from .pipeline import create_pipeline, member_pipelines, report_over_seeds_pipeline, report_pipeline

__all__ = ["create_pipeline", "member_pipelines", "report_over_seeds_pipeline", "report_pipeline"]
