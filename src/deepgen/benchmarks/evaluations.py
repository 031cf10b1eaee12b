"""``python -m deepgen.benchmarks.evaluations``: the families that draw by solving an ODE from
noise (those with a ``drawing``), every solver at the same numbers of function evaluations (1,
2, 4, 5, 8, 10, 16: a solver of two evaluations a step takes half the steps, and skips odd counts), scored on the
validation images: what few-step sampling costs each in quality.

It samples the networks each family's own pipeline saved (``kedro run --pipelines=<family>``
first), from the same noise for every solver and count, in this process; the FD is of
``--samples`` samples against the validation images' evaluator features (the test set is
scored only by the pipelines). Writes ``data/08_reporting/evaluations.json``,
``docs/images/equal_evaluations.png`` and the table between its markers in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from pathlib import Path

EVALUATIONS = (1, 2, 4, 5, 8, 10, 16)  # 5 and 10: where DPM-Solver++ and DDIM were compared before
MARKER = "equal evaluations"
FD_TICKS = (10, 20, 50, 100, 200, 500)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--families", default=None, help="comma-separated (default: every family with a drawing)")
    parser.add_argument("--samples", type=int, default=10_000, help="samples per solver and count")
    parser.add_argument("--env", default="base", help="the Kedro environment the families were trained in")
    args = parser.parse_args()
    os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")
    project = Path.cwd()
    from deepgen.families import FAMILIES

    names = args.families.split(",") if args.families else [n for n, f in FAMILIES.items() if f.drawing is not None]
    rows = measure(project, names, args.samples, args.env)
    output = project / "data/08_reporting/evaluations.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    measured = {"measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "samples": args.samples}
    output.write_text(json.dumps(measured | {"rows": rows}, indent=2) + "\n")
    figure = project / "docs/images/equal_evaluations.png"
    figure.parent.mkdir(parents=True, exist_ok=True)
    evaluations_figure(rows, args.samples).savefig(figure, dpi=110)
    write_table(project / "docs/performance.md", rows)
    print(f"wrote {output}, {figure} and the table in docs/performance.md")


def measure(project: Path, names: list[str], samples: int, env: str) -> list[dict]:
    """A row per family, solver and number of evaluations: FD and class score on the
    validation images, and seconds per 1,000 images."""
    from kedro.framework.session import KedroSession
    from kedro.framework.startup import bootstrap_project

    from deepgen import evaluation
    from deepgen.families import FAMILIES
    from deepgen.params import DataParams
    from deepgen.pipelines.data_processing import nodes as data

    bootstrap_project(project)
    with KedroSession.create(project_path=project, env=env) as session:
        context = session.load_context()
        catalog, parameters = context.catalog, context.params
        untrained = [n for n in names if not all(catalog.exists(f"{n}.{net}") for net in FAMILIES[n].networks)]
        if untrained:
            raise SystemExit(
                f"No saved networks of {', '.join(untrained)} under data/06_models: train each first "
                f"(kedro run --pipelines={untrained[0]}), or choose the families with --families."
            )
        networks = {
            name: {network: catalog.load(f"{name}.{network}") for network in FAMILIES[name].networks} for name in names
        }
        raw_train, classifier = catalog.load("raw_train"), catalog.load("evaluator_classifier")
    data_params, seed = _block(DataParams, parameters["data"]), int(parameters["seed"])
    images, labels = data.validate_training_images(raw_train)
    _, _, validation, _ = data.split_train_validation(images, labels, data_params, seed)
    (validation_x,) = data.scale_to_unit(validation)
    reference = evaluation.FeatureReference(classifier, evaluation.evaluator_outputs(classifier, validation_x)[0])
    rows = []
    for name in names:
        family = FAMILIES[name]
        params = _block(family.params, parameters[name])
        drawing = family.drawing
        noise = drawing.noise(networks[name], samples, seed)
        for solver, per_step in drawing.solvers.items():
            for count in EVALUATIONS:
                if count % per_step:
                    continue  # a two-evaluation solver cannot spend an odd count
                steps = count // per_step
                drawing.draw(networks[name], params, noise[:2], n_steps=steps, solver=solver)  # traces
                start = time.perf_counter()
                images = drawing.draw(networks[name], params, noise, n_steps=steps, solver=solver)
                seconds = (time.perf_counter() - start) * 1000 / samples
                scores = reference.score(images)
                row = {"family": family.label, "solver": solver, "evaluations": count, "steps": steps}
                rows.append(
                    row
                    | {key: round(value, 2) for key, value in scores.items()}
                    | {"seconds per 1,000": round(seconds, 2)}
                )
                print(rows[-1], flush=True)
    return rows


def _block(block_class, value):
    """``value`` as a ``block_class``: Kedro's context hands the blocks its nodes type-hint
    already validated, and the others as dictionaries."""
    return value if isinstance(value, block_class) else block_class(**value)


def evaluations_figure(rows: list[dict], samples: int):
    """FD against function evaluations, a line per family and solver."""
    from deepgen.figures import metric_curves

    curves = [row | {"model": f"{row['family']}, {row['solver']}"} for row in rows]
    title = f"Validation FD of {samples:,} samples against function evaluations"
    figure = metric_curves(curves, ("fd", "seconds per 1,000"), "evaluations", title)
    fd_axis = figure.axes[0]  # log: one step's FD in the hundreds would flatten the rest
    fd_axis.set(yscale="log", title="fd (log scale)")
    fd_axis.set_yticks(FD_TICKS, [f"{tick:g}" for tick in FD_TICKS])
    fd_axis.minorticks_off()
    figure.tight_layout()
    return figure


def write_table(page: Path, rows: list[dict]) -> None:
    """The table between the markers of ``page``."""
    from deepgen.report import markdown_table

    counts = sorted({row["evaluations"] for row in rows})
    lines = {}
    for row in rows:
        lines.setdefault((row["family"], row["solver"]), {})[row["evaluations"]] = row
    table = markdown_table(
        ["family", "solver", *(f"{n} evaluation{'s' if n > 1 else ''}" for n in counts)],
        [
            [
                family,
                solver,
                *(f"{cells[n]['fd']} ({cells[n]['seconds per 1,000']} s)" if n in cells else "–" for n in counts),
            ]
            for (family, solver), cells in lines.items()
        ],
    )
    text = page.read_text()
    begin, end = f"<!-- {MARKER}: begin -->", f"<!-- {MARKER}: end -->"
    pattern = re.compile(rf"{re.escape(begin)}.*?{re.escape(end)}", re.S)
    page.write_text(pattern.sub(f"{begin}\n{table}{end}", text) if pattern.search(text) else text)


if __name__ == "__main__":
    main()
