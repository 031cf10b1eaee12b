"""docs/performance.md's tables come from the benchmark's JSON output."""

import json


def test_performance_tables_refresh_from_the_benchmark_output(tmp_path):
    from deepgen.benchmarks.tables import BEGIN, END, refresh

    reporting = tmp_path / "data/08_reporting"
    reporting.mkdir(parents=True, exist_ok=True)
    row = {"model": "ae", "batch_size": 32, "rounds": 2, "reference_images_per_s": 1000.0, "deepgen_images_per_s": 2500.0,
           "speedup": 2.5, "speedup_per_round": [2.4, 2.6], "reference_warmup_s": 0.4, "deepgen_warmup_s": 1.0,
           "deepgen_settings": {"jit_compile": True}, "ablations": [{"variant": "without XLA", "speedup": 1.5}]}  # fmt: skip
    compute = {"model": "diffusion", "batch_size": 64, "rounds": 1, "forward_mflops_per_image": 28.5,
               "matmul_gflops": 100.0, "sampling_images_per_s": 25.0,
               "variants": {"with XLA": {"training_images_per_s": 150.0, "training_gflops": 12.8,
                                         "training_share_of_matmul": 0.128}}}  # fmt: skip
    (reporting / "benchmarks.json").write_text(
        json.dumps(
            {"measured_at": "2026-01-02 03:04 UTC", "machine": "2 CPU cores", "rows": [row], "compute": [compute]}
        )
    )
    overhead = {"run_seconds": 5.0, "run_seconds_without_tracking": 4.5, "kedro_seconds": 0.5, "tracking_seconds": 0.5,
                "dataset_io_seconds": 1.0, "node_seconds": 3.0, "overhead_fraction": 0.4}  # fmt: skip
    (reporting / "kedro_overhead.json").write_text(json.dumps(overhead))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/performance.md").write_text(f"# Prose\n\n{BEGIN}\nold\n{END}\n\nMore prose.\n")

    text = refresh(tmp_path).read_text()
    assert text.startswith("# Prose\n\n") and text.endswith("\n\nMore prose.\n") and "old" not in text
    assert "Measured 2026-01-02 03:04 UTC on 2 CPU cores, 2 round(s)." in text
    assert "| ae | 32 | 1,000 | 2,500 | **2.50×** (2.40, 2.60) | 0.4 / 1.0 | `jit_compile: True` |" in text
    assert "| speedup | 2.50× | 1.50× |" in text and "| 0.50 s (10%) |" in text
    assert "| with XLA | 150 | 12.8 (13%) |" in text and "matmul: 100.0 GFLOP/s" in text
    assert "sampling 25.0 img/s" in text
