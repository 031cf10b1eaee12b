"""The registry is the only list of families: nothing else in the package names one."""

import re

from deepgen.families import FAMILIES
from tests.conftest import PROJECT_ROOT

SOURCE = PROJECT_ROOT / "src" / "deepgen"


def _outside_families_and_models(path) -> bool:
    """The families' own modules and their shared parts (``families/shared/``, whose bases name
    the kinds of model they serve) may name families; so may the networks in ``models/``."""
    inside = path.parent.name in ("families", "models") or path.parent.parent.name == "families"
    return not inside or path.name == "__init__.py" and path.parent.name == "families"


def test_family_names_appear_only_in_the_families_the_networks_and_the_registry_lines():
    names = "|".join(FAMILIES)
    pattern = re.compile(rf"\b({names})\b", re.IGNORECASE)
    mentions = [
        f"{path.relative_to(SOURCE)}:{number}: {line.strip()}"
        for path in SOURCE.rglob("*.py")
        if _outside_families_and_models(path)
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    registry = [mention for mention in mentions if mention.startswith("families/__init__.py:")]
    assert [mention for mention in mentions if mention not in registry] == []
    assert [line.split(": ", 1)[1].split("(")[1].split(",")[0].split(")")[0] for line in registry] == [
        f'"{name}"' for name in FAMILIES
    ]  # one registry line each, nothing else


def test_every_family_has_a_parameter_block_and_valid_contract(tmp_path):
    from tests.conftest import base_params

    for family in FAMILIES.values():
        params = base_params(family.name)
        assert set(family.networks) <= set(family.build(params)), family.name
        assert family.samplers[0].name == "prior", family.name
        assert len(family.figure_names) == 0 or family.figures is not None, family.name


def test_every_saved_network_has_a_catalog_entry_that_writes_it():
    from kedro.config import OmegaConfigLoader
    from kedro.io import DataCatalog

    from deepgen.datasets import KerasModelDataset

    config = OmegaConfigLoader(str(PROJECT_ROOT / "conf"), base_env="base", default_run_env="base")
    catalog = DataCatalog.from_config(config["catalog"])
    for family in FAMILIES.values():
        for network in family.networks:
            dataset = catalog.get(f"{family.name}.{network}")
            assert isinstance(dataset, KerasModelDataset), f"{family.name}.{network}: {type(dataset).__name__}"
