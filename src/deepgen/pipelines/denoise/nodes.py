"""Denoising and inpainting: models trained to give clean images for corrupted ones, beside
the same family trained on clean images and the corrupted input itself (PSNR, SSIM)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from deepgen import evaluation
from deepgen.families import Family
from deepgen.figures import labelled_rows
from deepgen.params import DenoiseParams, FamilyParams
from deepgen.report import markdown_table

from .corruptions import CORRUPTIONS

PLAIN = "plain"  # the member trained on clean images


def restoring_params(family: Family, params: FamilyParams, denoise: DenoiseParams) -> FamilyParams:
    """``family``'s block with the keys ``denoise.training.<family>`` changes."""
    return params.changed(denoise.training.get(family.name, {}), f"denoise.training.{family.name}")


def corrupt(images: np.ndarray, corruption: str, denoise: DenoiseParams, seed: int) -> np.ndarray:
    """``images`` with ``corruption`` applied, the same for the same seed."""
    return CORRUPTIONS[corruption](images, denoise, np.random.default_rng([seed, len(images)]))


def corrupt_test_images(test_x: np.ndarray, denoise: DenoiseParams, seed: int) -> dict[str, np.ndarray]:
    """The test images under each corruption: what every model restores."""
    return {name: corrupt(test_x, name, denoise, seed) for name in CORRUPTIONS}


def corrupt_training_images(
    corruption: str, train_x: np.ndarray, validation_x: np.ndarray, denoise: DenoiseParams, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """The training and validation images under ``corruption`` (one fixed draw), the inputs a
    denoising model learns to restore."""
    return corrupt(train_x, corruption, denoise, seed), corrupt(validation_x, corruption, denoise, seed + 1)


def restore(family: Family, restores: tuple[str, ...], corrupted: dict[str, np.ndarray], **networks) -> dict:
    """The model's reconstructions of the corrupted test images it is judged on (``restores``:
    which corruptions')."""
    return {name: family.reconstruct(networks, corrupted[name], None) for name in restores}


def report_denoise(
    labels: tuple[str, ...],
    test_x: np.ndarray,
    corrupted: dict[str, np.ndarray],
    denoise: DenoiseParams,
    dataset: str,
    *restorations: dict[str, np.ndarray],
) -> tuple[str, dict, Figure]:
    """PSNR and SSIM per corruption of the corrupted input (the floor), each family trained on
    clean images, and each family trained to restore that corruption; and a figure of the
    first test images at every stage. ``restorations``: each member's, named by ``labels``."""
    by_label: dict[str, dict[str, np.ndarray]] = {}  # a denoising family's members share a label
    for label, restored in zip(labels, restorations, strict=True):
        by_label.setdefault(label, {}).update(restored)
    rows, examples = [], {}
    n = denoise.examples
    for corruption, inputs in corrupted.items():
        stages = {"corrupted input": inputs} | {
            label: restored[corruption] for label, restored in by_label.items() if corruption in restored
        }
        for stage, images in stages.items():
            rows.append([corruption, stage, evaluation.psnr(test_x, images), evaluation.ssim(test_x, images)])
            examples[f"{corruption}: {stage}"] = images[:n]
        examples[f"{corruption}: original"] = test_x[:n]
    header = ["corruption", "images", "psnr", "ssim"]
    return (
        markdown_table(header, rows),
        {"dataset": dataset, "rows": [dict(zip(header, row, strict=True)) for row in rows]},
        labelled_rows(examples, "Test images corrupted, restored by each model, and as they were"),
    )
