"""notebooks/explore.ipynb runs top to bottom against the outputs of a smoke run."""

import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow


def test_notebook_runs_against_smoke_outputs(smoke_run_copy, monkeypatch):
    notebook_dir = smoke_run_copy / "notebooks"
    notebook_dir.mkdir(exist_ok=True)
    shutil.copy(PROJECT_ROOT / "notebooks/explore.ipynb", notebook_dir)
    monkeypatch.setenv("KEDRO_ENV", "smoke")
    notebook = nbformat.read(notebook_dir / "explore.ipynb", as_version=4)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(notebook_dir)}}
    ).execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert (
        sum(o.output_type == "display_data" and "image/png" in o.get("data", {}) for o in outputs) == 4
    )  # four figures
    assert any("recon_mse" in o.get("text", "") for o in outputs)
    listing = "".join(o.get("text", "") for o in notebook.cells[3].get("outputs", []))
    assert "vae ['decoder', 'encoder', " in listing and "'metrics'" in listing  # what the VAE saved
