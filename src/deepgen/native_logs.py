"""TensorFlow's native start-up lines, filtered where they are written.

Importing TensorFlow writes a few lines from C++ straight to the process's stderr, before its
logging honours ``TF_CPP_MIN_LOG_LEVEL`` (absl logs everything until it is initialised): on a
machine without a GPU, "Could not find cuda drivers" and absl's notice about it. They read
like errors and say nothing a Python exception would not. ``quiet_import`` captures file
descriptor 2 while a module is first imported and writes back every line but those."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
import tempfile
from collections.abc import Iterator

HARMLESS = (
    "All log messages before absl::InitializeLog() is called are written to STDERR",
    "cudart_stub.cc",  # "Could not find cuda drivers on your machine, GPU will not be used."
    "cpu_feature_guard.cc",  # "This TensorFlow binary is optimized to use available CPU instructions"
    "To enable the following instructions:",  # its second line
    "oneDNN custom operations are on",  # on CPUs with oneDNN's fast paths: numbers may differ in the last bits
)


@contextlib.contextmanager
def native_stderr_without(harmless: tuple[str, ...]) -> Iterator[None]:
    """Everything written to fd 2 meanwhile (by C++ or Python), less lines containing one of
    ``harmless``, written back when the block ends (also when it raises)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            kept = [
                line
                for line in captured.read().decode(errors="replace").splitlines(keepends=True)
                if not any(marker in line for marker in harmless)
            ]
            sys.stderr.write("".join(kept))
            sys.stderr.flush()


class _QuietFirstImport:
    """A meta-path finder that runs one module's first import inside ``native_stderr_without``."""

    def __init__(self, name: str):
        self.name = name

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)  # once; and so that find_spec below finds the real spec
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def quiet(module):
            with native_stderr_without(HARMLESS):
                exec_module(module)

        spec.loader.exec_module = quiet
        return spec


def quiet_import(name: str = "tensorflow") -> None:
    """Filter ``name``'s native start-up lines when it is first imported (no effect once imported)."""
    if name not in sys.modules and not any(isinstance(f, _QuietFirstImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietFirstImport(name))
