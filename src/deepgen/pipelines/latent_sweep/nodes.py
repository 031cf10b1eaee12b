"""The tutorial's experiment: how the size of the latent space changes reconstruction."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from pydantic import BaseModel

from deepgen import reporting
from deepgen.models import predict
from deepgen.params import LatentSweepParams

COLUMNS = ("recon_mse", "recon_bce", "elbo", "nll_iw", "fd", "class_score")


def resize_latent(params, latent_dim: int, block: type[BaseModel]) -> BaseModel:
    """A model's parameter block with another ``latent_dim`` (one per sweep instance)."""
    validated = params if isinstance(params, block) else block.model_validate(params)
    return validated.model_copy(update={"latent_dim": latent_dim})


def _instances(results: dict) -> dict[tuple[str, int], dict]:
    """``{"vae_10_metrics": …, "vae_10_decoder": …}`` → ``{("vae", 10): {"metrics": …, "decoder": …}}``."""
    instances: dict[tuple[str, int], dict] = {}
    for key, value in results.items():
        model, dim, part = key.split("_", 2)
        instances.setdefault((model, int(dim)), {})[part] = value
    return dict(sorted(instances.items()))


def report_latent_sweep(test_x: np.ndarray, sweep: LatentSweepParams, **results) -> tuple[Figure, Figure, str, dict]:
    """Curves of the metrics against latent size, the same test digits reconstructed at each
    size, and the table behind both."""
    instances = _instances(results)
    built_for = sorted({dim for _, dim in instances})
    if sorted(sweep.latent_dims) != built_for:
        raise ValueError(
            f"latent_sweep.latent_dims is {sweep.latent_dims} but the pipeline was built for {built_for}: the list "
            "shapes the pipeline, so set it in conf/base/parameters_latent_sweep.yml, not per run or environment."
        )
    rows = [{"model": model, "latent_dim": dim, **parts["metrics"]["metrics"]} for (model, dim), parts in instances.items()]
    originals = test_x[:10]
    reconstructions = {
        f"{model.upper()} z={dim}": predict(parts["decoder"], _codes(predict(parts["encoder"], originals)))
        for (model, dim), parts in instances.items()
    }
    return (
        reporting.metric_curves(rows, COLUMNS, "latent_dim", "Metrics against latent size"),
        reporting.labelled_rows({"test images": originals, **reconstructions}, "The same test digits reconstructed at each latent size"),
        reporting.markdown_table(rows, ("model", "latent_dim", *COLUMNS)),
        {"rows": rows},
    )


def _codes(encoded):
    """An AE encoder gives codes; a VAE encoder gives [mean, log-variance]: decode the mean."""
    return encoded[0] if isinstance(encoded, list) else encoded
