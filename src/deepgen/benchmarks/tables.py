"""``python -m deepgen.benchmarks.tables``: the tables of ``docs/performance.md`` from the
benchmark's latest output (``data/08_reporting/benchmarks.json`` and ``kedro_overhead.json``).

It rewrites what stands between the two marker lines of that file and leaves the prose alone.
"""

from __future__ import annotations

import json
from pathlib import Path

BEGIN, END = "<!-- benchmark tables: begin -->", "<!-- benchmark tables: end -->"


def _speed_table(benchmark: dict) -> list[str]:
    lines = [
        "| model | batch | reference img/s | deepgen img/s | speedup (rounds) | warm-up s (ref / deepgen) | deepgen settings |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in benchmark["rows"]:
        rounds = ", ".join(f"{r:.2f}" for r in row["speedup_per_round"])
        settings = ", ".join(f"`{key}: {value}`" for key, value in row["deepgen_settings"].items())
        lines.append(
            f"| {row['model']} | {row['batch_size']} | {row['reference_images_per_s']:,.0f} | {row['deepgen_images_per_s']:,.0f} "
            f"| **{row['speedup']:.2f}×** ({rounds}) | {row['reference_warmup_s']:.1f} / {row['deepgen_warmup_s']:.1f} | {settings} |"
        )
    return lines


def _ablation_tables(benchmark: dict) -> list[str]:
    lines = []
    for row in benchmark["rows"]:
        if not row.get("ablations"):
            continue
        variants = [ablation["variant"] for ablation in row["ablations"]]
        lines += [
            "",
            f"| {row['model']} | as configured | " + " | ".join(variants) + " |",
            "|" + " --- |" * (len(variants) + 2),
        ]
        speedups = " | ".join(f"{ablation['speedup']:.2f}×" for ablation in row["ablations"])
        lines.append(f"| speedup | {row['speedup']:.2f}× | {speedups} |")
    return lines


def _compute_tables(benchmark: dict) -> list[str]:
    lines = []
    for row in benchmark.get("compute", []):
        lines += [
            "",
            f"{row['model']} (batch {row['batch_size']}; {row['forward_mflops_per_image']:.1f} MFLOP per image forward "
            f"through its networks; sampling {row['sampling_images_per_s']:,.1f} img/s; this CPU's float32 matmul: "
            f"{row['matmul_gflops']:.1f} GFLOP/s):",
            "",
            f"| {row['model']} | training img/s | training GFLOP/s (share of matmul) |",
            "| --- | --- | --- |",
        ]
        for name, variant in row["variants"].items():
            lines.append(
                f"| {name} | {variant['training_images_per_s']:,.0f} | {variant['training_gflops']:.1f} "
                f"({variant['training_share_of_matmul']:.0%}) |"
            )
    return lines


def _overhead_table(overhead: dict) -> list[str]:
    def share(seconds: float) -> str:
        return f"{seconds:.2f} s ({seconds / overhead['run_seconds']:.0%})"

    return [
        "| run, W&B offline | run, W&B off | Kedro | W&B | datasets | nodes | all but nodes |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        f"| {overhead['run_seconds']:.2f} s | {overhead['run_seconds_without_tracking']:.2f} s | {share(overhead['kedro_seconds'])} "
        f"| {share(overhead['tracking_seconds'])} | {overhead['dataset_io_seconds']:.2f} s | {overhead['node_seconds']:.2f} s "
        f"| {overhead['overhead_fraction']:.0%} |",
    ]


def tables(benchmark: dict, overhead: dict) -> str:
    measured = (
        f"Measured {benchmark['measured_at']} on {benchmark['machine']}, {benchmark['rows'][0]['rounds']} round(s)."
    )
    return "\n".join(
        [
            BEGIN,
            measured,
            "",
            *_speed_table(benchmark),
            *_ablation_tables(benchmark),
            *_compute_tables(benchmark),
            "",
            *_overhead_table(overhead),
            END,
        ]
    )


def refresh(project: Path) -> Path:
    reporting = project / "data/08_reporting"
    benchmark = json.loads((reporting / "benchmarks.json").read_text())
    overhead = json.loads((reporting / "kedro_overhead.json").read_text())
    document = project / "docs/performance.md"
    text = document.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    document.write_text(text[:start] + tables(benchmark, overhead) + text[end:])
    return document


if __name__ == "__main__":
    print(f"refreshed {refresh(Path.cwd())}")
