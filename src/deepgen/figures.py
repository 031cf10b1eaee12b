"""Figures for people: image grids, reconstructions, latent scatters, loss curves.

Each function is pure: arrays in, a matplotlib Figure out; the catalog saves them
(``matplotlib.MatplotlibDataset``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from deepgen.datasets.labels import is_labelled
from deepgen.evaluation import roc_points

MARKED_POINTS = 30  # shorter series get a marker per point
FEW_POINTS = 10  # up to this many epochs (or intervals), each gets its tick
SHARED_SCALE = 10  # series whose typical values differ more than this draw on separate panels


def _subplots(*grid: int, figsize: tuple[float, float], **kwargs):
    """Like ``plt.subplots``, without pyplot's global registry: figures the catalog saves are
    freed with their last reference instead of piling up over a run."""
    fig = Figure(figsize=figsize)
    return fig, fig.subplots(*grid, **kwargs)


def tile_images(images: np.ndarray, ncols: int) -> np.ndarray:
    """N×28×28 images in [0,1] as one (rows·28)×(ncols·28) mosaic, 2 px gaps."""
    n, h, w = images.shape
    nrows = int(np.ceil(n / ncols))
    mosaic = np.ones((nrows * (h + 2), ncols * (w + 2)), dtype=np.float32)
    for i, image in enumerate(images):
        r, c = divmod(i, ncols)
        mosaic[r * (h + 2) + 1 : r * (h + 2) + 1 + h, c * (w + 2) + 1 : c * (w + 2) + 1 + w] = image
    return mosaic


def image_grid(images: np.ndarray, title: str, ncols: int = 10) -> Figure:
    """A grid of images (the first ``ncols²`` at most)."""
    images = images[: ncols * ncols]
    fig, ax = _subplots(figsize=(ncols * 0.6, np.ceil(len(images) / ncols) * 0.6 + 0.5))
    ax.imshow(tile_images(images, ncols), cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(title)
    ax.axis("off")
    fig.tight_layout()
    return fig


def reconstruction_grid(originals: np.ndarray, reconstructions: np.ndarray, title: str) -> Figure:
    """Originals (top row of each pair) above their reconstructions."""
    n = min(len(originals), 16)
    pairs = np.concatenate([originals[:n], reconstructions[:n]])
    fig, ax = _subplots(figsize=(n * 0.6, 1.8))
    ax.imshow(tile_images(pairs, n), cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(f"{title}: test images (top), reconstructions (bottom)")
    ax.axis("off")
    fig.tight_layout()
    return fig


def latent_scatter(embeddings: pd.DataFrame, title: str) -> Figure:
    """Test-set codes coloured by digit; PCA to 2-D when the latent space is larger."""
    codes = embeddings[[c for c in embeddings.columns if c.startswith("z_") and c[2:].isdigit()]].to_numpy()
    xlabel, ylabel = "z_0", "z_1"
    if codes.shape[1] > 2:  # noqa: PLR2004
        from sklearn.decomposition import PCA

        pca = PCA(n_components=2, random_state=0).fit(codes)
        codes = pca.transform(codes)
        share = pca.explained_variance_ratio_
        xlabel, ylabel = f"PC 1 ({share[0]:.0%} of variance)", f"PC 2 ({share[1]:.0%})"
    elif codes.shape[1] == 1:
        codes = np.column_stack([codes[:, 0], np.zeros(len(codes))])
    fig, ax = _subplots(figsize=(6.5, 5.5))
    labels = embeddings["label"].to_numpy()
    if not is_labelled(labels):  # a flat folder of images: nothing to colour by
        ax.scatter(codes[:, 0], codes[:, 1], s=2, alpha=0.6)
    else:
        points = ax.scatter(codes[:, 0], codes[:, 1], c=labels, cmap="tab10", s=2, alpha=0.6, vmin=-0.5, vmax=9.5)
        fig.colorbar(points, ax=ax, ticks=range(10), label="class")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    fig.tight_layout()
    return fig


def scale_groups(history: dict[str, list[float]]) -> list[list[str]]:
    """The series split by magnitude: those within ``SHARED_SCALE``× of the largest share a
    panel, the rest (a KL term of a few nats beside ~150-nat losses) get their own, and so on."""
    typical = {name: float(np.median(np.abs(values))) for name, values in history.items() if values}
    groups: list[list[str]] = []
    for name in sorted(typical, key=typical.get, reverse=True):
        if groups and typical[groups[-1][0]] <= SHARED_SCALE * max(typical[name], 1e-12):
            groups[-1].append(name)
        else:
            groups.append([name])
    return [sorted(group, key=list(history).index) for group in groups]


def loss_curves(
    history: dict[str, list[float]], title: str, x: list[int] | None = None, xlabel: str = "epoch"
) -> Figure:
    """Every logged series against ``x`` (epochs 1…n by default), validation series dashed; a
    panel per scale, whole-number ticks, legends beside the curves."""
    groups = scale_groups(history)
    fig, axes = _subplots(len(groups), 1, figsize=(7.5, 1.2 + 2.6 * len(groups)), sharex=True, squeeze=False)
    points = list(x or range(1, max(map(len, history.values()), default=0) + 1))
    for ax, group in zip(axes[:, 0], groups, strict=True):
        for name in group:
            values = history[name]
            ax.plot(
                points[: len(values)],
                values,
                label=name,
                marker="." if len(values) < MARKED_POINTS else None,
                linestyle="--" if name.startswith("val_") else "-",
            )
        ax.set(ylabel="value")
        if len(points) <= FEW_POINTS:  # a tick per point: a locator would put fractions around one epoch
            ax.set_xticks(points)
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    axes[0, 0].set_title(title)
    axes[-1, 0].set_xlabel(xlabel)
    fig.tight_layout()
    return fig


QUALITY_PANELS = {  # metric → (panel title, better when)
    "fd": ("Fréchet distance", "lower is better"),
    "class_score": ("class score", "higher is better; 10 at most"),
    "conditional_accuracy": ("conditional accuracy", "higher is better"),
}


def quality_curves(quality: dict[str, list[float]], unit: str, title: str) -> Figure:
    """A panel per sample metric measured during training (``quality``: a series per metric and
    the ``epoch`` and ``step`` series), against the ``unit`` training is counted in."""
    metrics = [name for name in QUALITY_PANELS if name in quality]
    fig, axes = _subplots(1, len(metrics), figsize=(3.4 * len(metrics), 3.3), squeeze=False)
    points = quality[unit]
    for ax, metric in zip(axes[0], metrics, strict=True):
        ax.plot(points, quality[metric], marker="o")
        name, better = QUALITY_PANELS[metric]
        ax.set(title=f"{name}\n({better})", xlabel="training step" if unit == "step" else "epoch")
        if len(points) <= FEW_POINTS:
            ax.set_xticks(points)
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def note_figure(title: str, note: str) -> Figure:
    """A figure that says why there is nothing to draw."""
    fig, ax = _subplots(figsize=(6.5, 1.6))
    ax.text(0.5, 0.5, note, ha="center", va="center", wrap=True, fontsize=9)
    ax.set_title(title, fontsize=10)
    ax.axis("off")
    return fig


def progression_strip(frames: np.ndarray, steps: list[int], title: str) -> Figure:
    """frames: K×n×28×28, one row of n images per training step in ``steps``."""
    k, n = frames.shape[:2]
    fig, ax = _subplots(figsize=(n * 0.6 + 0.8, k * 0.6 + 0.6))
    ax.imshow(tile_images(frames.reshape(k * n, *frames.shape[2:]), n), cmap="gray_r", vmin=0, vmax=1)
    ax.set_yticks([(i + 0.5) * (frames.shape[2] + 2) for i in range(k)], [f"step {s}" for s in steps])
    ax.set_xticks([])
    ax.set_title(title)
    fig.tight_layout()
    return fig


# --- the cross-model comparison and the latent sweep -----------------------------------


def quality_over_time(curves: dict[str, dict[str, list[float]]], title: str) -> Figure:
    """Sample quality against training seconds, a line per model (``curves``: label → the
    ``seconds``, ``fd`` and, for conditional models, ``conditional_accuracy`` series of its
    probe): what each gives per minute of training, side by side."""
    accuracy = {label: curve for label, curve in curves.items() if "conditional_accuracy" in curve}
    fig, axes = _subplots(1, 2 if accuracy else 1, figsize=(10.5 if accuracy else 6.0, 3.8), squeeze=False)
    fd_axes = axes[0][0]
    colours = {label: f"C{i}" for i, label in enumerate(curves)}  # a model's colour, the same in both panels
    for label, curve in curves.items():
        fd_axes.plot(curve["seconds"], curve["fd"], marker="o", markersize=3, label=label, color=colours[label])
    fds = [fd for curve in curves.values() for fd in curve["fd"]]
    wide = max(fds) > SHARED_SCALE * min(fds)  # a log scale where the curves span an order of magnitude
    fd_axes.set(xlabel="training seconds", ylabel="FD (lower is better)", yscale="log" if wide else "linear")
    fd_axes.set_title("FD of prior samples")
    fd_axes.legend(fontsize=8)
    if accuracy:
        for label, curve in accuracy.items():
            axes[0][1].plot(
                curve["seconds"],
                curve["conditional_accuracy"],
                marker="o",
                markersize=3,
                label=label,
                color=colours[label],
            )
        axes[0][1].set(
            xlabel="training seconds",
            ylabel="share drawn as the digit asked for",
            title="conditional accuracy (higher is better)",
        )
        axes[0][1].legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


HEADLINE = {"fd": "fd", "class_score": "class score"}  # the metrics in each panel's title, when measured


def samples_side_by_side(panels: list[tuple[str, np.ndarray, dict]], n: int = 36) -> Figure:
    """A 6×6 grid of each model's samples, (label, images, metrics), with fd and class score in the title."""
    fig, axes = _subplots(1, len(panels), figsize=(3.6 * len(panels), 4.2), squeeze=False)
    for ax, (label, images, metrics) in zip(axes[0], panels):
        ax.imshow(tile_images(images[:n], 6), cmap="gray_r", vmin=0, vmax=1)
        scores = " · ".join(
            f"{name} {metrics[key]:.3g}" for key, name in HEADLINE.items() if metrics.get(key) is not None
        )
        ax.set_title(f"{label}\n{scores}", fontsize=10)
        ax.axis("off")
    fig.tight_layout()
    return fig


def metric_curves(rows: list[dict], metrics: tuple[str, ...], x: str, title: str) -> Figure:
    """One panel per metric, one line per model, against ``x`` on a log scale; rows with a
    ``spread`` (standard deviations over seeds) get error bars."""
    present = [m for m in metrics if any(row.get(m) is not None for row in rows)]
    fig, axes = _subplots(1, len(present), figsize=(3.2 * len(present), 3.2), squeeze=False)
    for ax, metric in zip(axes[0], present):
        for model in sorted({row["model"] for row in rows}):
            measured = [row for row in rows if row["model"] == model and row.get(metric) is not None]
            if measured:
                spread = [row.get("spread", {}).get(metric) for row in measured]
                ax.errorbar(
                    [row[x] for row in measured],
                    [row[metric] for row in measured],
                    yerr=spread if None not in spread else None,  # over seed repeats: ± one standard deviation
                    marker="o",
                    capsize=3,
                    label=model.upper(),
                )
        ax.set(title=metric, xscale="log", xlabel=x)
        values = sorted({row[x] for row in rows})
        ax.set_xticks(values, [f"{value:g}" for value in values])  # the measured sizes, not powers of ten
        ax.minorticks_off()
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def labelled_rows(images: dict[str, np.ndarray], title: str) -> Figure:
    """One row of images per label."""
    rows = list(images.values())
    n = len(rows[0])
    label_width = max(1.4, 0.11 * max(map(len, images)) + 0.4)  # inches: the longest label fits
    fig, ax = _subplots(figsize=(n * 0.6 + label_width, len(rows) * 0.6 + 0.6))
    ax.imshow(tile_images(np.concatenate(rows), n), cmap="gray_r", vmin=0, vmax=1)
    ax.set_yticks([(i + 0.5) * 30 for i in range(len(rows))], list(images))
    ax.set_xticks([])
    ax.set_title(title)
    fig.tight_layout()
    return fig


# --- anomaly detection --------------------------------------------------------------------


def roc_curves(curves: dict[tuple[str, str, int], tuple[np.ndarray, np.ndarray]], title: str) -> Figure:
    """A panel per detector (model, score), a ROC curve per normal digit. ``curves``: (model,
    score, digit) → (scores, which images are anomalous)."""
    detectors = list(dict.fromkeys(key[:2] for key in curves))
    fig, axes = _subplots(1, len(detectors), figsize=(3.6 * len(detectors), 3.9), squeeze=False)
    for ax, detector in zip(axes[0], detectors, strict=True):
        for (model, name, digit), (scores, anomalous) in curves.items():
            if (model, name) == detector:
                fpr, tpr = roc_points(scores, anomalous)
                ax.plot(fpr, tpr, linewidth=1, label=f"{digit}: {np.trapezoid(tpr, fpr):.3f}")
        ax.plot([0, 1], [0, 1], color="grey", linewidth=0.5, linestyle=":")
        ax.set(title=f"{detector[0]}, {detector[1]}", xlabel="false positive rate", ylabel="true positive rate")
        ax.legend(title="normal digit: AUROC", fontsize=6, title_fontsize=7, loc="lower right")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def score_histograms(curves: dict[tuple[str, str, int], tuple[np.ndarray, np.ndarray]], title: str) -> Figure:
    """A row per detector, a column per normal digit: the scores of that digit's test images
    beside the other digits' (each as a density, the range clipped to the 1st–99th percentile)."""
    detectors = list(dict.fromkeys(key[:2] for key in curves))
    digits = sorted({key[2] for key in curves})
    fig, axes = _subplots(
        len(detectors), len(digits), figsize=(1.7 * len(digits), 1.5 * len(detectors) + 0.8), squeeze=False
    )
    for (model, name, digit), (scores, anomalous) in curves.items():
        ax = axes[detectors.index((model, name)), digits.index(digit)]
        bins = np.linspace(*np.percentile(scores, [1, 99]), 40)
        ax.hist(scores[~anomalous], bins=bins, density=True, alpha=0.6, label="normal")
        ax.hist(scores[anomalous], bins=bins, density=True, alpha=0.6, label="anomalous")
        ax.set_yticks([])
        ax.tick_params(labelsize=5)
        ax.set_title(f"{model} {name}, {digit}", fontsize=6)
    axes[0, 0].legend(fontsize=6)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def sweep_history(
    values: list[tuple[int, float | None, str]],
    curves: dict[int, dict[int, float]],
    metric: str,
    better: str,
    title: str,
) -> Figure:
    """Left: each trial's ``metric`` by trial number (``values``: number, value, state), the
    best so far as a line (``better``: ``minimize`` or ``maximize``), pruned and failed trials
    marked at the bottom. Right: every trial's validation FD at each probe (``curves``), the
    pruned ones dashed where they stopped."""
    fig, (history, probes) = _subplots(1, 2, figsize=(10.5, 3.8))
    done = [(n, v) for n, v, state in values if state == "complete" and v is not None]
    if done:
        numbers, scores = zip(*done, strict=True)
        history.scatter(numbers, scores, s=18, label="complete")
        pick = np.minimum.accumulate if better == "minimize" else np.maximum.accumulate
        history.step(numbers, pick(np.array(scores)), where="post", color="black", linewidth=1, label="best so far")
    stopped = [n for n, _, state in values if state != "complete"]
    if stopped:
        history.scatter(
            stopped, [history.get_ylim()[0]] * len(stopped), marker="x", color="grey", label="pruned / failed"
        )
    history.set(xlabel="trial", ylabel=f"{metric} (validation)", title="Trials in order")
    history.xaxis.set_major_locator(MaxNLocator(integer=True))
    history.legend(fontsize=7)
    states = {n: state for n, _, state in values}
    for number, curve in sorted(curves.items()):
        steps = sorted(curve)
        style = "--" if states.get(number) == "pruned" else "-"
        probes.plot(steps, [curve[s] for s in steps], style, marker=".", linewidth=1, label=f"{number}")
    probes.set(xlabel="epoch or step", ylabel="FD of the probe's samples (validation)", title="Probes")
    if curves:
        probes.legend(title="trial", fontsize=6, title_fontsize=7, ncol=2)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def importance_bars(importances: dict[str, float], title: str) -> Figure:
    """A bar per parameter: its share of the metric's variation over the complete trials."""
    fig, ax = _subplots(figsize=(6, 0.5 * max(len(importances), 2) + 1.2))
    if importances:
        names = list(importances)[::-1]
        ax.barh(names, [importances[name] for name in names])
        ax.set(xlabel="importance (share)", xlim=(0, 1))
    else:
        ax.text(0.5, 0.5, "fewer than two complete trials, or one parameter value", ha="center", va="center")
        ax.set_axis_off()
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig
