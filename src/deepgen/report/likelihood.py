"""The test likelihoods of the families that have one (``comparison/likelihood.md``)."""

from __future__ import annotations

from .comparison import markdown_table
from .model import ModelReport, Report


class LikelihoodRow(Report):
    """One model's test likelihood: the importance-weighted NLL at K samples with its standard
    error over the test images, the ELBO, the bounds at fewer samples, nats per image."""

    label: str
    k: int
    nll: float
    nll_se: float | None
    elbo: float
    bounds: dict[str, float]  # the IW bounds on log p(x) by sample count: "1", "5", "50"
    active_units: int | None
    architecture: str | None
    epochs: int | None
    train_minutes: float


class Likelihoods(Report):
    """``<outputs>/08_reporting/comparison/likelihood.json``: the test likelihoods of the models
    that have one, on one dataset; ``binary``: its images are binary, so the numbers are the
    literature's (Bernoulli log-likelihoods of binary images)."""

    dataset: str
    binary: bool
    rows: list[LikelihoodRow]

    def table(self) -> tuple[list[str], list[list]]:
        """Header and rows, as the Markdown page and W&B show them."""
        bounds = sorted({k for row in self.rows for k in row.bounds}, key=int)
        header = ["model", "K", "NLL", "± SE", "ELBO", *(f"IW bound, K={k}" for k in bounds)]
        header += ["active units", "architecture", "epochs", "train min"]
        rows = [
            [
                row.label,
                row.k,
                round(row.nll, 2),
                None if row.nll_se is None else round(row.nll_se, 2),
                round(row.elbo, 2),
                *(None if k not in row.bounds else round(row.bounds[k], 2) for k in bounds),
                row.active_units,
                row.architecture,
                row.epochs,
                round(row.train_minutes, 1),
            ]
            for row in self.rows
        ]
        return header, rows

    def markdown(self) -> str:
        meaning = (
            "Binary images (each pixel drawn once from its intensity, the same for every run): the Bernoulli "
            "decoder's −log p(x) is the likelihood the literature reports."
            if self.binary
            else "Gray pixels: the Bernoulli decoder's −log p(x) of gray values is not a likelihood of the images, "
            "and not comparable with the literature's, which is on binarized MNIST (`kedro run --env=binarized`)."
        )
        lines = [
            f"# deepgen: test likelihoods on `{self.dataset}`",
            "",
            "Nats per test image. `NLL`: the importance-weighted estimate of −log p(x) with K samples per image "
            "(Burda et al. 2016), `± SE` its standard error over the test images; `ELBO` and the IW bounds of "
            "the first K' of those samples are lower bounds on log p(x) (higher is better); active units: latent dimensions whose "
            "posterior mean varies with the image (variance > 0.01).",
            "",
            meaning,
            "",
        ]
        table = markdown_table(*self.table()) if self.rows else "No model here measures a likelihood.\n"
        return "\n".join([*lines, table])


def likelihood_row(report: ModelReport) -> LikelihoodRow | None:
    """``report``'s test likelihood, if its family measures one."""
    metrics = report.metrics
    if "nll_iw" not in metrics:
        return None
    prefix = "iw_bound_"
    return LikelihoodRow(
        label=report.label,
        k=int(metrics.get("iw_samples", report.parameters.get("iw_samples", 0))),
        nll=metrics["nll_iw"],
        nll_se=metrics.get("nll_iw_se"),
        elbo=metrics["elbo"],
        bounds={key.removeprefix(prefix): value for key, value in metrics.items() if key.startswith(prefix)},
        active_units=None if "active_units" not in metrics else int(metrics["active_units"]),
        architecture=report.parameters.get("architecture"),
        epochs=report.parameters.get("epochs"),
        train_minutes=report.training.seconds / 60,
    )
