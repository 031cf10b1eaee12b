"""`kedro run --pipelines=denoise`: corrupted test images restored by every model, in-process."""

import json

import pytest

from deepgen.pipelines.denoise.corruptions import CORRUPTIONS
from deepgen.pipelines.denoise.pipeline import denoising_families
from tests.conftest import run_in_process
from tests.wandb_reader import offline_runs

pytestmark = pytest.mark.slow


@pytest.mark.tracked
@pytest.mark.timeout(300)
@pytest.mark.user_commands("kedro run --pipelines=denoise")
def test_the_smoke_run_restores_every_corruption_with_every_model(project_copy):
    run_in_process(project_copy, "denoise")
    folder = project_copy / "data/08_reporting/denoise"
    rows = json.loads((folder / "results.json").read_text())["rows"]
    labels = [f"{kind} {family.label}" for family in denoising_families() for kind in ("plain", "denoising")]
    assert [(row["corruption"], row["images"]) for row in rows] == [
        (corruption, images) for corruption in CORRUPTIONS for images in ("corrupted input", *labels)
    ]
    for row in rows:
        assert 0 < row["psnr"] < 60 and -1 <= row["ssim"] <= 1
    assert "| mask | denoising VAE |" in (folder / "table.md").read_text()
    assert (folder / "examples.png").stat().st_size > 10_000
    for family in denoising_families():
        for kind in ("plain", *CORRUPTIONS):
            for network in family.networks:
                assert (project_copy / f"data/06_models/denoise/{family.name}_{kind}/{network}.keras").is_file()

    runs = offline_runs(project_copy)  # a W&B run per model, and the report's
    assert {"denoise.ae_plain.ae", "denoise.vae_mask.vae", "denoise"} <= set(runs)
    assert runs["denoise.ae_gaussian.ae"].config["latent_dim"] == 32
    assert any(path.name.startswith("examples") for path in runs["denoise"].media())
