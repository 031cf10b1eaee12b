"""The sweep's instances as its parameters shape them (its runs: tests/distribute)."""

import pytest

from deepgen.params import use_run_configuration
from deepgen.pipelines.latent_sweep.pipeline import instances


@pytest.fixture
def sweep_parameters():
    def use(**block):
        use_run_configuration({"parameters": {"latent_sweep": block}})

    yield use
    use_run_configuration(None)


def test_the_instances_are_the_chosen_families_at_every_size(sweep_parameters):
    sweep_parameters(latent_dims=[2, 10])
    assert [(family.name, dim) for family, dim in instances()] == [
        (name, dim) for name in ("ae", "vae", "iwae", "cvae", "latent_diffusion", "flow_matching") for dim in (2, 10)
    ]
    sweep_parameters(latent_dims=[3], families=["cvae", "vae"])
    assert [(family.name, dim) for family, dim in instances()] == [("cvae", 3), ("vae", 3)]


def test_a_family_without_an_encoder_is_named(sweep_parameters):
    sweep_parameters(latent_dims=[3], families=["vae", "dcgan"])
    with pytest.raises(ValueError, match=r"latent_sweep.families: dcgan cannot be swept.*ae, vae, iwae, cvae"):
        instances()
