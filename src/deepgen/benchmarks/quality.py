"""``python -m deepgen.benchmarks.quality``: sample quality per second of training, for every
family of the default run, over the training settings that matter on a CPU (learning rate,
batch size, Adam's ``beta_1``, a GAN's discriminator learning rate).

Each setting trains the family's networks in this process, through the pipeline's own training
node, from the same seed and on the pipeline's split of MNIST, until its share of the default
run's training time in CPU seconds (``SHARES``, times ``--share``) is spent; the node's probe
scores ``--samples`` prior samples under the frozen evaluator as it goes (FD against the test
set, with the wall and CPU seconds of training before it). A setting may fix the length and the
probe's interval itself (``steps``, ``eval_interval``): a family whose learning rate follows its
length (decayed over its steps) is then trained to it. Settings of one family run one after the other,
so their ratios are measured side by side. Writes ``data/08_reporting/quality_study.json`` and
``docs/images/quality_study.png``, and the table between the markers in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import keras

# The settings tried, by what a family's training is counted in (epochs: the autoencoding
# families; steps: the GANs), as changes to its block of conf/base. A family is tried with those
# of its keys (the discriminator's learning rate is a GAN's).
SETTINGS: dict[str, list[dict]] = {
    "epoch": [
        {"batch_size": 128, "learning_rate": 1e-3},
        {"batch_size": 64, "learning_rate": 1e-3},
        {"batch_size": 32, "learning_rate": 1e-3},
        {"batch_size": 128, "learning_rate": 3e-3},
        {"batch_size": 32, "learning_rate": 5e-4},
    ],
    "step": [
        {"learning_rate": 2e-4, "batch_size": 32},
        {"learning_rate": 1e-3, "batch_size": 32},
        {"learning_rate": 2e-3, "batch_size": 32},
        {"learning_rate": 1e-3, "batch_size": 64},
        {"learning_rate": 1e-3, "batch_size": 32, "beta_1": 0.0},
        {"learning_rate": 1e-3, "batch_size": 32, "discriminator_learning_rate": 2e-3},
        {"learning_rate": 1e-3, "batch_size": 32, "discriminator_learning_rate": 5e-4},
    ],
}
# CPU seconds of training (every thread's) a family gets of the default run's ten minutes on two
# cores, about 1.5 times its wall seconds (the rest of the run: start-up, data, sampling,
# scoring, figures and the drift of a shared machine).
SHARES = {"epoch": 75, "step": 200}
INTERVALS = {"epoch": 1, "step": 100}  # probe every epoch, or every 100 generator steps
MARKER = "quality study"


def main() -> None:
    from deepgen.families import FAMILIES, default_run

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default = ",".join(family.name for family in default_run())
    parser.add_argument("--families", default=default, help=f"comma-separated (default: {default})")
    parser.add_argument("--share", type=float, default=1.0, help="multiplies every family's share of CPU seconds")
    parser.add_argument("--samples", type=int, default=1000, help="prior samples scored at each probe")
    parser.add_argument("--report-only", action="store_true", help="only the table and figure, from the saved study")
    parser.add_argument(
        "--settings",
        type=json.loads,
        help="settings to try instead of the usual ones, as JSON: '[{\"latent_dim\": 4}]'",
    )
    args = parser.parse_args()
    os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")
    project = Path.cwd()
    output = project / "data/08_reporting/quality_study.json"
    study = json.loads(output.read_text()) if output.is_file() else {"families": {}}
    inputs = None if args.report_only else _inputs(project)
    for name in [] if args.report_only else args.families.split(","):
        family = FAMILIES[name]
        unit = family.params.counted_in()
        share = SHARES[unit] * args.share
        settings = args.settings or SETTINGS[unit]
        tried = [{k: v for k, v in changes.items() if k in family.params.model_fields} for changes in settings]
        unique = [changes for i, changes in enumerate(tried) if changes not in tried[:i]]
        study["families"][name] = {
            "share_seconds": share,
            "runs": [_run(family, changes, share, args.samples, inputs) for changes in unique],
        }
        study["measured_at"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(study, indent=2) + "\n")  # after each family: a long study keeps what it did
    figure = project / "docs/images/quality_study.png"
    figure.parent.mkdir(parents=True, exist_ok=True)
    study_figure(study).savefig(figure, dpi=110)
    write_table(project / "docs/performance.md", study)
    print(f"wrote {output}, {figure} and the table in docs/performance.md")


def _inputs(project: Path) -> dict:
    """The pipeline's training split, the validation images' evaluator features, the classifier and
    the base parameters, as ``kedro run`` makes them."""
    from kedro.framework.session import KedroSession
    from kedro.framework.startup import bootstrap_project

    from deepgen.params import DataParams, EvaluatorParams, configuration
    from deepgen.pipelines.data_processing import nodes as data
    from deepgen.pipelines.family.nodes import score_real_images

    bootstrap_project(project)
    with KedroSession.create(project_path=project, env="base") as session:
        catalog = session.load_context().catalog
        raw_train, classifier = (catalog.load(n) for n in ("raw_train", "evaluator_classifier"))
    parameters = configuration("base", project)["parameters"]  # as conf/base writes them
    seed, data_params = int(parameters["seed"]), DataParams(**parameters["data"])
    train_images, train_labels = data.validate_training_images(raw_train)
    train, labels, validation, validation_labels = data.split_train_validation(
        train_images, train_labels, data_params, seed
    )
    train_x, validation_x = data.scale_to_unit(train, validation)
    validation_x = data.binarize_validation(validation_x, data_params)
    unit = train_x, validation_x
    symmetric = data.scale_to_symmetric(train, validation)
    features, _ = score_real_images(validation_x, classifier, EvaluatorParams(**parameters["evaluator"]))
    return {
        "unit": unit,
        "symmetric": symmetric,
        "labels": (labels, validation_labels),
        "classifier": classifier,
        "validation_features": features,
        "parameters": parameters,
        "seed": seed,
        "data": data_params,
    }


def _run(family, changes: dict, share: float, samples: int, inputs: dict) -> dict:
    """One setting of one family: its probe's curve until ``share`` CPU seconds of training."""
    from deepgen.datasets.runtime import TrainingContext
    from deepgen.evaluation import FeatureReference
    from deepgen.families import TrainingData
    from deepgen.pipelines.family.nodes import train
    from deepgen.training import QUALITY

    name = family.name
    unit = family.params.counted_in()
    # More epochs or steps than the share allows (the time stops it) and a probe every interval,
    # unless the setting fixes them (a family whose schedule follows its length: trained to it).
    study = {"eval_samples": samples, "resume": False, "eval_interval": INTERVALS[unit], unit + "s": 10_000}
    if unit == "step":
        study["gen_interval"] = INTERVALS[unit]
    params = family.params(**(inputs["parameters"][name] | study | changes))
    x, validation_x = inputs[family.scaling]
    labels, validation_labels = inputs["labels"]
    context = TrainingContext(callbacks=[_StopAfter(share)])
    print(f"{name} {changes}: training for {share:.0f} CPU seconds", flush=True)
    data = TrainingData(x, validation_x, labels, validation_labels, binarize=inputs["data"].binarize)
    reference = FeatureReference(inputs["classifier"], inputs["validation_features"])
    result = train(family, data, params, inputs["seed"], context, reference)
    keras.backend.clear_session()
    curve = result.history[QUALITY]
    print(f"  fd {curve['fd'][-1]:.1f} after {curve['seconds'][-1]:.0f} s", flush=True)
    return {"changes": changes, "curve": curve, "phases": result.stats["phases"]}


class _StopAfter(keras.callbacks.Callback):
    """Stops training at the end of the first epoch that passes ``seconds`` of CPU time (every
    thread's: a measure that a busy neighbour on a shared machine changes less than wall time)."""

    def __init__(self, seconds: float):
        super().__init__()
        self.seconds = seconds

    def on_train_begin(self, logs=None):
        self.start = time.process_time()

    def on_epoch_end(self, epoch, logs=None):
        if time.process_time() - self.start >= self.seconds:
            self.model.stop_training = True


def _label(changes: dict) -> str:
    return ", ".join(
        f"{key} {value:g}" if isinstance(value, float) else f"{key} {value}" for key, value in changes.items()
    )


LAST_PROBES = 3  # a setting's FD at its share: the mean of its last probes within it (a GAN's jumps between probes)


def final_fd(run: dict, share: float) -> tuple[float, float, float]:
    """The run's FD at ``share`` CPU seconds, the mean of its last ``LAST_PROBES`` probes within
    them, and the wall and CPU seconds of the last of those."""
    curve = run["curve"]
    within = [i for i, seconds in enumerate(curve["cpu_seconds"]) if seconds <= share] or [0]
    last = within[-LAST_PROBES:]
    fd = sum(curve["fd"][i] for i in last) / len(last)
    return fd, curve["seconds"][last[-1]], curve["cpu_seconds"][last[-1]]


def study_figure(study: dict):
    """A panel per family: FD of the probe's samples against CPU seconds of training, a line
    per setting; the dotted line is the family's share of the default run."""
    from matplotlib.figure import Figure

    families = list(study["families"])
    fig = Figure(figsize=(4.2 * len(families), 3.8))
    axes = fig.subplots(1, len(families), squeeze=False)[0]
    for ax, name in zip(axes, families, strict=True):
        entry = study["families"][name]
        for run in entry["runs"]:
            ax.plot(
                run["curve"]["cpu_seconds"], run["curve"]["fd"], marker="o", markersize=2, label=_label(run["changes"])
            )
        ax.axvline(entry["share_seconds"], linestyle=":", color="grey")
        ax.set(title=name, xlabel="CPU seconds of training", ylabel="FD (log)", yscale="log")
        ax.legend(fontsize=6)
    fig.suptitle(f"Sample quality per CPU second ({study.get('measured_at', '')})", fontsize=10)
    fig.tight_layout()
    return fig


def study_table(study: dict) -> list[str]:
    lines = [
        f"| family | setting | FD at its share (mean of the last {LAST_PROBES} probes) | wall s | CPU s | best |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, entry in study["families"].items():
        finals = [final_fd(run, entry["share_seconds"]) for run in entry["runs"]]
        best = min(range(len(finals)), key=lambda i: finals[i][0])
        for i, (run, (fd, seconds, cpu)) in enumerate(zip(entry["runs"], finals, strict=True)):
            lines.append(
                f"| {name} | {_label(run['changes'])} | {fd:.1f} | {seconds:.0f} | {cpu:.0f} | {'**best**' if i == best else ''} |"
            )
    return lines


def write_table(document: Path, study: dict) -> None:
    begin, end = f"<!-- {MARKER}: begin -->", f"<!-- {MARKER}: end -->"
    text = document.read_text()
    if begin not in text or end not in text:
        raise ValueError(f"{document} has no '{begin}' … '{end}' markers for the study's table.")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    document.write_text(head + begin + "\n" + "\n".join(study_table(study)) + "\n" + end + tail)


if __name__ == "__main__":
    main()
