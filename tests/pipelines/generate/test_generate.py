"""`kedro run --pipelines=generate`: images from saved networks, seeded, and clear errors."""

import numpy as np
import pytest

from deepgen.evaluation import evaluator_outputs
from deepgen.families import FAMILIES, default_run
from deepgen.pipelines.generate.nodes import GenerateParams
from tests.conftest import EVALUATOR, base_params, run_in_process


def _generate(project, **settings):
    run_in_process(project, "generate", params={"generate": settings})
    folder = project / "data" / "07_model_output" / "generate" / settings["family"]
    return np.load(folder / f"{settings.get('name', 'samples')}.npy"), folder


@pytest.mark.slow
def test_every_trained_family_generates_the_same_images_for_the_same_seed(smoke_run_copy):
    from deepgen.datasets import KerasModelDataset, ReportDataset
    from deepgen.report import ModelReport

    for family in default_run():
        name = family.name
        digit = 4 if family.conditional else None
        images, folder = _generate(smoke_run_copy, family=name, n=12, seed=5, name="first", digit=digit)
        assert images.shape == (12, 28, 28) and images.dtype == np.float32 and 0 <= images.min() <= images.max() <= 1
        assert (folder / "first.png").stat().st_size > 0
        # The same draw again, from the saved files, and with another seed.
        models = smoke_run_copy / "data" / "06_models" / name
        networks = {net: KerasModelDataset(filepath=str(models / f"{net}.keras")).load() for net in family.networks}
        report = ReportDataset(
            filepath=str(models.parents[1] / f"08_reporting/{name}/metrics.json"),
            report=f"{ModelReport.__module__}.ModelReport",
        ).load()
        params = family.params(**report.parameters)
        again, other = (family.sample(family.samplers[0], networks, params, 12, seed, None, digit) for seed in (5, 6))
        np.testing.assert_array_equal(again, images, err_msg=name)
        assert not np.array_equal(other, images), name

    with pytest.raises(Exception, match=r"generate\.digit = 3, but dcgan is unconditional") as error:
        run_in_process(smoke_run_copy, "generate", params={"generate": {"family": "dcgan", "digit": 3}})
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
        (
            {"family": "gan"},
            "generate.family is 'gan'; the families are ae, vae, iwae, cvae, dcgan, cdcgan, diffusion, latent_diffusion",
        ),
        ({"family": "dcgan", "sampler": "mixture"}, "generate.sampler is 'mixture'; dcgan has prior"),
        ({"family": "cvae", "digit": 10}, "less than or equal to 9"),
        (
            {"family": "latent_diffusion", "sampling": {"units": 64, "solver": "ddim"}},
            "generate.sampling changes units, which the trained latent_diffusion cannot change without training "
            "again; it may change .*sampling_steps, solver",
        ),
    ],
)
def test_generate_parameters_are_checked(settings, message):
    defaults = {"family": "ae", "n": 4, "digit": None, "sampler": "prior", "seed": 0, "name": "samples", "sampling": {}}
    with pytest.raises(ValueError, match=message):
        GenerateParams(**{**defaults, **settings})


def _saved_diffusion_model():
    """An untrained small denoiser with random weights (its output layer would start at zero) and
    the report of the run that would have trained it."""
    from deepgen.report import ModelReport, TrainingStats

    family = FAMILIES["diffusion"]
    params = base_params("diffusion", widths=[8, 16], groups=4, sampling_steps=4)
    report = ModelReport(
        family="diffusion", label=family.label, metrics={}, samples={}, parameters=params.model_dump(),
        training=TrainingStats(seconds=1.0, images=1, images_per_second=1.0), n_test_images=1, commit="x",
        evaluator_sha256="0" * 64,
    )  # fmt: skip
    denoiser = family.build(params)["denoiser"]
    rng = np.random.default_rng(3)
    denoiser.set_weights([rng.normal(0, 0.1, w.shape).astype(np.float32) for w in denoiser.get_weights()])
    return {"diffusion/denoiser": lambda: denoiser}, {"diffusion": lambda: report}


def test_a_digit_for_a_model_saved_unconditional_names_the_key_that_makes_it_conditional():
    from deepgen.pipelines.generate.nodes import generate

    asked = GenerateParams(family="diffusion", n=2, digit=7, sampler="prior", seed=0, name="sevens", sampling={})
    with pytest.raises(ValueError, match=r"trained unconditional \(diffusion\.conditional: false\)"):
        generate(asked, *_saved_diffusion_model(), None)


def test_generate_sampling_draws_a_saved_model_with_another_solver_or_steps():
    from deepgen.pipelines.generate.nodes import generate

    networks, reports = _saved_diffusion_model()

    def drawn(**sampling):
        asked = GenerateParams(
            family="diffusion", n=2, digit=None, sampler="prior", seed=0, name="x", sampling=sampling
        )
        return generate(asked, networks, reports, None)[0]["diffusion/x"]

    as_trained = drawn()
    assert np.array_equal(as_trained, drawn(solver="dpm_solver_2m", sampling_steps=4))  # what the run recorded
    assert not np.allclose(as_trained, drawn(solver="ddim")) and not np.allclose(as_trained, drawn(sampling_steps=2))


def _draws_the_digits_asked_for(project, name):
    import keras

    classifier = keras.models.load_model(EVALUATOR / "classifier.keras", compile=False)
    for digit in (3, 7):
        images, _ = _generate(project, family=name, n=100, seed=0, digit=digit, name=f"digit_{digit}")
        _, probabilities = evaluator_outputs(classifier, images)
        assert np.mean(probabilities.argmax(axis=1) == digit) > 0.5, (name, digit)


@pytest.mark.slow
def test_the_smoke_runs_cdcgan_draws_the_digit_asked_for(smoke_run_copy):
    _draws_the_digits_asked_for(smoke_run_copy, "cdcgan")  # conf/smoke trains it long enough for that


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.user_commands("kedro run --pipelines=cvae", "kedro run --pipelines=generate")
def test_a_cvae_trained_for_ten_epochs_draws_the_digit_asked_for(project_copy):
    run_in_process(project_copy, "cvae", params={"cvae": {"epochs": 10}})  # of the smoke environment's 2,700 images
    _draws_the_digits_asked_for(project_copy, "cvae")
