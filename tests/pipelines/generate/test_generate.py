"""`kedro run --pipelines=generate`: images from saved networks, seeded, and clear errors."""

import numpy as np
import pytest

from deepgen.evaluation import evaluator_outputs
from deepgen.families import FAMILIES
from deepgen.pipelines.generate.nodes import GenerateParams
from tests.conftest import EVALUATOR, run_in_process


def _generate(project, **settings):
    run_in_process(project, "generate", params={"generate": settings})
    folder = project / "data" / "07_model_output" / "generate" / settings["family"]
    return np.load(folder / f"{settings.get('name', 'samples')}.npy"), folder


@pytest.mark.slow
@pytest.mark.parametrize("name", [name for name, family in FAMILIES.items() if family.in_default_run])
def test_every_trained_family_generates_the_same_images_for_the_same_seed(default_smoke_run, name):
    digit = 4 if FAMILIES[name].conditional else None
    first, folder = _generate(default_smoke_run, family=name, n=12, seed=5, name="first", digit=digit)
    again, _ = _generate(default_smoke_run, family=name, n=12, seed=5, name="again", digit=digit)
    other, _ = _generate(default_smoke_run, family=name, n=12, seed=6, name="other", digit=digit)
    assert first.shape == (12, 28, 28) and first.dtype == np.float32 and 0 <= first.min() <= first.max() <= 1
    assert (folder / "first.npy").read_bytes() == (folder / "again.npy").read_bytes()
    assert not np.array_equal(first, other)
    assert (folder / "first.png").stat().st_size > 0


@pytest.mark.slow
def test_a_digit_for_an_unconditional_family_stops_before_any_work(default_smoke_run):
    with pytest.raises(Exception, match=r"generate\.digit = 3, but dcgan is unconditional") as error:
        run_in_process(default_smoke_run, "generate", params={"generate": {"family": "dcgan", "digit": 3}})
    assert "cvae, cdcgan, diffusion" in str(error.value)


@pytest.mark.slow
def test_a_family_never_trained_says_which_run_trains_it(project_copy):
    with pytest.raises(
        FileNotFoundError,
        match=r"No trained cDCGAN .* `kedro run --pipelines=cdcgan` \(with the same --env\) trains it",
    ):
        run_in_process(project_copy, "generate", params={"generate": {"family": "cdcgan"}})
    assert not (project_copy / "data" / "07_model_output" / "generate").exists()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"family": "gan"}, "generate.family is 'gan'; the families are ae, vae, cvae, dcgan, cdcgan, diffusion"),
        ({"family": "dcgan", "sampler": "mixture"}, "generate.sampler is 'mixture'; dcgan has prior"),
        ({"family": "cvae", "digit": 10}, "less than or equal to 9"),
    ],
)
def test_generate_parameters_are_checked(settings, message):
    defaults = {"family": "ae", "n": 4, "digit": None, "sampler": "prior", "seed": 0, "name": "samples"}
    with pytest.raises(ValueError, match=message):
        GenerateParams(**{**defaults, **settings})


# Enough training on the smoke environment's 2,700 images for the digit to take hold.
LEARNS_DIGITS = {
    "cvae": {"epochs": 10},
    "cdcgan": {"steps": 200, "gen_interval": 100, "steps_per_execution": 50},
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(LEARNS_DIGITS))
def test_a_conditional_family_draws_the_digit_asked_for(project_copy, name):
    import keras

    run_in_process(project_copy, name, params={name: LEARNS_DIGITS[name]})
    classifier = keras.models.load_model(EVALUATOR / "classifier.keras", compile=False)
    for digit in (3, 7):
        images, _ = _generate(project_copy, family=name, n=100, seed=0, digit=digit, name=f"digit_{digit}")
        _, probabilities = evaluator_outputs(classifier, images)
        assert np.mean(probabilities.argmax(axis=1) == digit) > 0.5, (name, digit)
