"""The nodes of the model template, the same for every family: the family comes first and is
bound when the template is built (``pipeline.py``)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import keras
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from deepgen import evaluation
from deepgen.datasets.labels import is_labelled
from deepgen.datasets.runtime import TrainingContext
from deepgen.evaluation import FeatureReference
from deepgen.families import Family, FigureInputs, Sampler, TrainingData
from deepgen.figures import (
    image_grid,
    labelled_rows,
    latent_scatter,
    loss_curves,
    note_figure,
    quality_curves,
    reconstruction_grid,
    tile_images,
)
from deepgen.models.blocks import N_DIGITS
from deepgen.params import DataParams, EvaluatorParams, FamilyParams
from deepgen.pipelines.data_processing.nodes import binary_draw
from deepgen.report import ModelReport, SampleMetrics, TrainingStats, provenance
from deepgen.training import (
    QUALITY,
    DivergenceGuard,
    EpochReport,
    SampleQualityProbe,
    dtype_policy,
    start_training,
)


def gather_training_data(
    train_x: np.ndarray,
    train_labels: np.ndarray,
    validation_x: np.ndarray,
    validation_labels: np.ndarray,
    data: DataParams,
    train_targets: np.ndarray | None = None,
    validation_targets: np.ndarray | None = None,
) -> TrainingData:
    """What a family trains on: the images (with targets, for a family trained to restore
    them), their labels, and whether the run's protocol asks for binary images."""
    return TrainingData(
        train_x, validation_x, train_labels, validation_labels, train_targets, validation_targets, data.binarize
    )


def probe_reference(classifier: keras.Model | None, validation_features: np.ndarray) -> FeatureReference:
    """What the samples drawn while a family trains are scored against: the validation images'
    features (the test set is scored once, when training is over)."""
    return FeatureReference(classifier, validation_features)


@dataclass(frozen=True)
class TrainedFamily:
    """What the training node gives: the family's networks, trained, and how training went."""

    networks: dict[str, keras.Model]
    history: dict  # per epoch (or kept interval); the probe's measurements under ``QUALITY``
    stats: dict  # seconds, images, throughput, seconds by phase
    extras: dict  # for the family's own figures

    def outputs(self) -> dict:
        """As the catalog saves them: each network, ``training_history``, ``training_stats``,
        ``training_extras``."""
        return {
            **self.networks,
            "training_history": self.history,
            "training_stats": self.stats,
            "training_extras": self.extras,
        }


def train(
    family: Family,
    data: TrainingData,
    params: FamilyParams,
    seed: int,
    training_context: TrainingContext,
    reference: FeatureReference,
) -> TrainedFamily:
    """The family's networks, trained from ``seed`` with the hooks' callbacks, and how training
    went; every ``params.eval_interval`` epochs (or steps) its samples are scored against
    ``reference`` on the way. With targets in ``data``: trained to restore them."""
    _check_labels(family, data.labels)
    started = time.perf_counter()
    start_training(seed, params.deterministic)
    with dtype_policy(params.precision):
        networks = family.build(params)
    built = time.perf_counter()
    probe = _probe(family, networks, params, seed, data, reference, training_context)
    callbacks = [
        DivergenceGuard(family.name, params.learning_rate),
        *training_context.callbacks,
        *([probe] if params.eval_interval and reference.available else []),
        EpochReport(training_context.epoch_sinks, lambda: _epoch_image(family, networks, data, params)),
    ]
    fit = family.train if data.targets is None else family.restoration.train
    try:
        result = fit(networks, data, params, seed, callbacks)
    except KeyboardInterrupt:
        for say in training_context.on_interrupt:
            say()
        raise
    phases = _phases(result.stats, callbacks, built - started, time.perf_counter() - built)
    node = time.perf_counter() - started
    phases |= {"other": round(node - sum(phases.values()), 2), "node": round(node, 2)}
    measured = bool(probe.rows)
    return TrainedFamily(
        networks={name: networks[name] for name in family.networks},
        history=result.history | ({QUALITY: probe.history()} if measured else {}),
        stats=result.stats
        | {"phases": phases}
        | ({"sample_quality_seconds": round(probe.seconds, 2)} if measured else {}),
        extras=result.extras,
    )


def _check_labels(family: Family, labels: np.ndarray) -> None:
    """A conditional family needs every class labelled."""
    if family.conditional and not is_labelled(labels):
        raise ValueError(
            f"The {family.label} is conditional: it learns from labelled images, and this dataset's are not "
            "(a flat folder). Put the images in one sub-folder per class, or train an unconditional family."
        )
    if family.conditional and len(np.unique(labels)) < N_DIGITS:
        raise ValueError(
            f"The {family.label} is conditional: its samples ask for each of {N_DIGITS} classes, and the training "
            f"images have {len(np.unique(labels))}. Train an unconditional family on this dataset."
        )


def _probe(
    family: Family,
    networks: dict,
    params: FamilyParams,
    seed: int,
    data: TrainingData,
    reference: FeatureReference,
    training_context: TrainingContext,
) -> SampleQualityProbe:
    """Prior samples of the same noise each time, scored against ``reference`` (a conditional
    family's also for the digits asked for)."""

    def score(images: np.ndarray) -> dict[str, float]:
        return reference.score(images, family.default_digits(len(images)))

    return SampleQualityProbe(
        lambda: family.sample(family.samplers[0], networks, params, params.eval_samples, seed, data.x),
        score,
        params.eval_interval,
        params.counted_in(),
        training_context.epoch_sinks,
    )


def _phases(stats: dict, callbacks: list, build: float, training: float) -> dict[str, float]:
    """The training node's seconds by phase: ``build``; ``setup`` (compiling the model, its data
    pipeline, restoring a checkpoint: ``training`` outside ``fit``'s loop); the loop's
    ``trace``, ``fit`` and ``validation``; the work after each epoch of the callbacks that time
    theirs (the probe's ``probe_sampling`` and ``probe_scoring``, ``checkpoints``) and ``grids``
    (the rest of it: the images kept or logged after each epoch)."""
    loop = dict(stats.get("phases", {}))
    after_epochs = loop.pop("after_epochs", 0.0)
    timed = {
        name: seconds for c in callbacks if hasattr(c, "phase_seconds") for name, seconds in c.phase_seconds().items()
    }
    phases = {"build": build, "setup": training - stats["seconds"], **loop, **timed}
    phases["grids"] = max(after_epochs - sum(timed.values()), 0.0)
    return {name: round(seconds, 2) for name, seconds in phases.items()}


def _epoch_image(
    family: Family, networks: dict, data: TrainingData, params: FamilyParams
) -> tuple[str, np.ndarray, str]:
    if family.epoch_image == "reconstructions":
        originals = data.validation_x[:16]
        labels = None if data.validation_labels is None else data.validation_labels[:16]
        pairs = np.concatenate([originals, family.reconstruct(networks, originals, labels)])
        return (
            "reconstructions",
            tile_images(pairs, len(originals)),
            "validation images (top), reconstructions (bottom)",
        )
    noise = family.noise(params, 100, seed=0)
    images = family.from_noise(networks, params, noise, family.default_digits(len(noise)))
    caption = "samples of fixed noise" + (", a digit per column" if family.conditional else "")
    return "samples", tile_images(images, 10), caption


def embed(family: Family, images: np.ndarray, labels: np.ndarray, **networks: keras.Model) -> pd.DataFrame:
    """One row per image: its code ``z_0…z_k`` (the posterior mean where there is one) and its label."""
    codes = family.codes(networks, images, labels)
    table = pd.DataFrame(codes, columns=[f"z_{i}" for i in range(codes.shape[1])])
    table["label"] = labels.astype(np.int64)
    return table


def draw_samples(
    family: Family,
    sampler: Sampler,
    params: FamilyParams,
    seed: int,
    train_x: np.ndarray,
    data: DataParams,
    **networks: keras.Model,
) -> np.ndarray:
    """``params.n_samples`` images from one of the family's samplers (a conditional family's:
    ``n_samples / 10`` of each digit). A sampler fitted to the training images' codes (the
    mixture) sees them as the family trained on them: binary draws where the run binarizes them
    for a family with a Bernoulli decoder."""
    if data.binarize and family.binary_images:
        train_x = binary_draw(train_x, np.random.default_rng(seed))
    return family.sample(sampler, networks, params, params.n_samples, seed, train_x)


def score_real_images(
    images: np.ndarray, classifier: keras.Model | None, evaluator_params: EvaluatorParams
) -> tuple[np.ndarray, np.ndarray]:
    """Real images' evaluator features and each one's distance to its k-th nearest neighbour
    among them (the real manifold of precision): what samples are compared with, computed once
    per run (the test set's for the report, the validation set's for the probe and the sweeps).
    Without an evaluator: none (empty arrays)."""
    if classifier is None:
        return np.zeros((0, evaluator_params.feature_units), np.float32), np.zeros(0)
    features = evaluation.evaluator_outputs(classifier, images)[0]
    return features, evaluation.kth_neighbour_radii(features, evaluator_params.neighbours)


def score_samples(
    family: Family,
    samples: np.ndarray,
    params: FamilyParams,
    real_features: np.ndarray,
    real_radii: np.ndarray,
    real_labels: np.ndarray,
    classifier: keras.Model,
    evaluator_params: EvaluatorParams,
) -> SampleMetrics:
    """Sample quality against real images (their evaluator features, k-NN radii and labels:
    the test set's in a run's report, the validation set's in a sweep's trial); for a
    conditional family's samples also how well they are the digits asked for. Nothing without
    an evaluator, and nothing class-based for unlabelled images."""
    if classifier is None:
        return SampleMetrics()
    scores = evaluation.score_images(
        classifier,
        samples,
        real_features,
        evaluator_params.neighbours,
        digits=family.default_digits(len(samples)),
        test_labels=real_labels,
        test_radii=real_radii,
    )
    if not is_labelled(real_labels):
        scores = {name: scores[name] for name in ("fd", "precision", "recall")}
    return SampleMetrics(**scores)


def held_out_metrics(
    family: Family,
    images: np.ndarray,
    labels: np.ndarray,
    params: FamilyParams,
    seed: int,
    **networks: keras.Model,
) -> dict[str, float]:
    """Reconstruction (families with an encoder) and the family's own metrics on images it did
    not train on (the test set in a run's report, the validation set in a sweep's trial)."""
    metrics = {}
    if family.encode is not None:
        reconstructions = family.reconstruct(networks, images, labels)
        metrics |= {
            "recon_mse": evaluation.recon_mse(images, reconstructions),
            "recon_bce": evaluation.recon_bce(images, reconstructions),
        }
    if family.metrics is not None:
        metrics |= family.metrics(networks, images, labels, params, seed)
    return metrics


def report(
    family: Family,
    params: FamilyParams,
    metrics: dict[str, float],
    training_stats: dict,
    training_history: dict,
    train_x: np.ndarray,
    test_x: np.ndarray,
    environment: str,
    dataset: str,
    commit: str,
    evaluator_checksum: str,
    data: DataParams,
    seed: int,
    test_set: dict,
    **sample_metrics: SampleMetrics,
) -> ModelReport:
    """The model's report: its metrics per sampler, how it trained, what produced it (the work:
    its parameters and ``provenance``; the commit, the data), and notes on what could not be
    measured."""
    samples = {sampler.name: sample_metrics[sampler.name] for sampler in family.samplers}
    final_losses = {name: values[-1] for name, values in training_history.items() if name not in ("step", QUALITY)}
    return ModelReport(
        family=family.name,
        label=family.label,
        metrics=metrics,
        samples=samples,
        training=TrainingStats(**training_stats, final_losses=final_losses, quality=training_history.get(QUALITY, {})),
        parameters=params.model_dump(),
        n_train_images=len(train_x),
        n_test_images=len(test_x),
        environment=environment,
        dataset=dataset,
        commit=commit,
        evaluator_sha256=evaluator_checksum,
        notes=_unmeasured(next(iter(samples.values())), dataset),
        provenance=provenance(data.model_dump(), seed, environment),
        test_set=test_set,
    )


def _unmeasured(metrics: SampleMetrics, dataset: str) -> list[str]:
    """Why some sample metrics are None."""
    if metrics.fd is None:
        return [
            f"No sample metrics: `{dataset}` has no evaluator. With labelled images `kedro run "
            "--pipelines=evaluator` trains one; without, name one in the environment's catalog "
            "(`evaluator_classifier`, `evaluator_checksum`)."
        ]
    if metrics.class_score is None:
        return [
            f"No class-based metrics (`class_score`, `class_freq`): the images of `{dataset}` have no labels, "
            "so the evaluator's classes are not theirs; `fd`, `precision` and `recall` use its features."
        ]
    return []


def plot_reconstructions(
    family: Family, test_x: np.ndarray, test_labels: np.ndarray, **networks: keras.Model
) -> Figure:
    originals = test_x[:16]
    return reconstruction_grid(originals, family.reconstruct(networks, originals, test_labels[:16]), family.label)


def plot_latent_scatter(family: Family, embeddings: pd.DataFrame) -> Figure:
    return latent_scatter(embeddings, f"{family.label} latent space of the test set")


def plot_samples(family: Family, sampler: Sampler, samples: np.ndarray, params: FamilyParams) -> Figure:
    return image_grid(samples, f"{family.label}, {sampler.label}")


TRAVERSAL_DIMENSIONS = 10  # rows of the traversal figure: the codes' most varied dimensions
TRAVERSAL_STEPS = 11


def plot_latent_traversals(
    family: Family, test_x: np.ndarray, test_labels: np.ndarray, embeddings: pd.DataFrame, **networks: keras.Model
) -> Figure:
    """A row per latent dimension: the first test image's code moved along that dimension alone,
    from the 2nd to the 98th percentile of the test codes' values in it, and decoded (the first
    ten dimensions by variance over the test set, when there are more)."""
    codes = embeddings.filter(regex=r"^z_\d+$").to_numpy(np.float32)
    dimensions = np.sort(np.argsort(codes.var(axis=0))[::-1][:TRAVERSAL_DIMENSIONS])
    low, high = np.percentile(codes, [2, 98], axis=0)
    rows = {}
    for dimension in dimensions:
        moved = np.repeat(codes[:1], TRAVERSAL_STEPS, axis=0)
        moved[:, dimension] = np.linspace(low[dimension], high[dimension], TRAVERSAL_STEPS)
        digits = np.repeat(test_labels[:1], TRAVERSAL_STEPS) if family.conditional else None
        rows[f"z_{dimension}"] = family.images(networks, moved, digits)
    title = f"{family.label} latent traversals of a test code (a {int(test_labels[0])}), 2nd to 98th percentile"
    return labelled_rows(rows, title)


def plot_training(family: Family, history: dict) -> Figure:
    losses = {name: values for name, values in history.items() if name not in ("step", QUALITY)}
    if "step" in history:
        return loss_curves(losses, f"{family.label} training", x=history["step"], xlabel="training step")
    return loss_curves(losses, f"{family.label} training")


def plot_quality_over_training(family: Family, params: FamilyParams, history: dict) -> Figure:
    """FD and class score (and a conditional family's accuracy) of samples as training went on."""
    title = f"{family.label} sample quality during training ({params.eval_samples:,} prior samples)"
    if QUALITY not in history:
        return note_figure(
            title, f"Not measured: {family.name}.eval_interval is 0 (or training ended before the first interval)."
        )
    unit = params.counted_in()
    return quality_curves(history[QUALITY], unit, title)


def plot_family_figures(
    family: Family,
    test_x: np.ndarray,
    test_labels: np.ndarray,
    training_extras: dict,
    params: FamilyParams,
    seed: int,
    classifier: keras.Model | None,
    test_features: np.ndarray,
    **networks: keras.Model,
) -> dict[str, Figure]:
    """The family's own figures (a latent manifold, a progression strip, …); those that score
    images do so under the evaluator, as the samples are scored."""

    reference = FeatureReference(classifier, test_features)
    score = reference.score if reference.available else None
    given = FigureInputs(family, test_x, test_labels, training_extras, params, seed, score)
    return family.figures(networks, given)
