"""The registry is the only list of families: nothing else in the package names one."""

import re

from deepgen.families import FAMILIES
from tests.conftest import PROJECT_ROOT

SOURCE = PROJECT_ROOT / "src" / "deepgen"


def test_family_names_appear_only_in_their_own_modules_and_the_registry():
    names = "|".join(FAMILIES)
    pattern = re.compile(rf"\b({names})\b", re.IGNORECASE)
    own = {SOURCE / "families" / f"{name}.py" for name in FAMILIES} | {
        SOURCE / "models" / f"{name}.py" for name in FAMILIES
    }
    mentions = [
        f"{path.relative_to(SOURCE)}:{number}: {line.strip()}"
        for path in SOURCE.rglob("*.py")
        if path not in own and "benchmarks" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert mentions == ['families/__init__.py:25: for _module in ("ae", "vae", "cvae", "dcgan", "cdcgan"):']


def test_every_family_has_a_parameter_block_and_valid_contract(tmp_path):
    from tests.conftest import base_params

    for family in FAMILIES.values():
        params = base_params(family.name)
        assert set(family.networks) <= set(family.build(params)), family.name
        assert family.samplers[0].name == "prior", family.name
        assert len(family.figure_names) == 0 or family.figures is not None, family.name
