"""The one-class anomaly protocol: a family trained on the images of one digit scores every
test image, and each of its scores is judged by how well it separates the other nine digits
(AUROC, average precision); then one report of every family and digit."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from deepgen import evaluation
from deepgen.families import Family
from deepgen.figures import labelled_rows, roc_curves, score_histograms
from deepgen.params import AnomalyParams, FamilyParams
from deepgen.report import OneClassReport, Separation, markdown_table


def one_class_params(family: Family, params: FamilyParams, anomaly: AnomalyParams) -> FamilyParams:
    """``family``'s block with the keys ``anomaly.training.<family>`` changes."""
    return params.changed(anomaly.training.get(family.name, {}), f"anomaly.training.{family.name}")


def normal_class_images(
    digit: int, train_x: np.ndarray, train_labels: np.ndarray, validation_x: np.ndarray, validation_labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The training and validation images of the normal ``digit``, with their labels."""
    train, validation = train_labels == digit, validation_labels == digit
    if not train.any():
        raise ValueError(
            f"No training image is of class {digit}, which anomaly.normal_classes lists: the one-class protocol "
            "needs labelled images of every class it names (a flat folder of images has none)."
        )
    return train_x[train], train_labels[train], validation_x[validation], validation_labels[validation]


def restoration_views(
    family: Family,
    train_x: np.ndarray,
    train_labels: np.ndarray,
    validation_x: np.ndarray,
    validation_labels: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """The normal images' altered views with their labels, and the originals they restore to,
    for a family whose detection learns to restore them (``anomaly.views``): training's, then
    validation's."""
    views = []
    for images, labels in ((train_x, train_labels), (validation_x, validation_labels)):
        altered, originals = family.anomaly.views(images)
        views += [altered, np.tile(labels, len(altered) // len(images)), originals]
    return tuple(views)


def score_test_images(
    family: Family, test_x: np.ndarray, params: FamilyParams, seed: int, **networks
) -> dict[str, np.ndarray]:
    """Every anomaly score the family offers, for every test image."""
    return {
        name: np.asarray(score(networks, test_x, params, seed), np.float64)
        for name, score in family.anomaly.scores.items()
    }


def separation(
    family: Family, digit: int, scores: dict[str, np.ndarray], test_labels: np.ndarray, train_x: np.ndarray
) -> OneClassReport:
    """How well each score separates the test images of the other digits from ``digit``'s."""
    anomalous = test_labels != digit
    return OneClassReport(
        family=family.name,
        label=family.label,
        normal_class=digit,
        n_train_images=len(train_x),
        scores={
            name: Separation(
                auroc=evaluation.auroc(values, anomalous),
                average_precision=evaluation.average_precision(values, anomalous),
            )
            for name, values in scores.items()
        },
    )


def report_anomaly(
    test_x: np.ndarray, test_labels: np.ndarray, anomaly: AnomalyParams, dataset: str, *members
) -> tuple[str, dict, Figure, Figure, Figure]:
    """The table (AUROC and average precision per family, score and normal digit, and their
    mean over digits), ROC curves, score histograms and each detector's most and least
    anomalous test images. ``members``: each member's separation, then its scores."""
    results: list[OneClassReport] = list(members[::2])
    scores: list[dict[str, np.ndarray]] = list(members[1::2])
    detectors = list(dict.fromkeys((r.label, name) for r in results for name in r.scores))
    digits = sorted({r.normal_class for r in results})
    header = ["model", "score", "metric", *map(str, digits), "mean"]
    rows = []
    for label, name in detectors:
        by_digit = {r.normal_class: r.scores[name] for r in results if r.label == label}
        for metric in ("auroc", "average_precision"):
            values = [getattr(by_digit[digit], metric) for digit in digits]
            rows.append([label, name, metric, *values, float(np.mean(values))])
    published = []
    for method, by_class in anomaly.published.get(dataset, {}).items():
        values = [by_class[digit] for digit in digits]
        published.append([method, "published", "auroc", *values, float(np.mean(values))])
    table = markdown_table(header, rows + published)
    summary = {
        "dataset": dataset,
        "rows": [dict(zip(header, row, strict=True)) for row in rows],
        "published": [dict(zip(header, row, strict=True)) for row in published],
        "members": [r.model_dump() for r in results],
    }
    curves = {
        (r.label, name, r.normal_class): (values, test_labels != r.normal_class)
        for r, member_scores in zip(results, scores, strict=True)
        for name, values in member_scores.items()
    }
    return (
        table,
        summary,
        roc_curves(curves, "ROC curves: each digit as the normal class, the other nine as anomalies"),
        score_histograms(curves, "Anomaly scores of the normal digit's test images and of the others'"),
        labelled_rows(
            _extremes(curves, test_x, anomaly.extremes),
            f"Per detector and normal digit: the {anomaly.extremes} least anomalous test images, then the "
            f"{anomaly.extremes} most anomalous",
        ),
    )


def _extremes(curves: dict, test_x: np.ndarray, n: int) -> dict[str, np.ndarray]:
    rows = {}
    for (label, name, digit), (values, _) in curves.items():
        order = np.argsort(values, kind="stable")
        rows[f"{label} {name}, {digit}"] = test_x[np.r_[order[:n], order[-n:]]]
    return rows
