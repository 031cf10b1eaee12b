"""Figures: loss curves readable at a glance."""

import numpy as np

from deepgen.figures import loss_curves, scale_groups

VAE_HISTORY = {
    "loss": [190.0, 160.0, 150.0],
    "reconstruction_loss": [184.0, 154.0, 144.0],
    "kl_loss": [6.0, 6.2, 6.1],
    "val_loss": [170.0, 155.0, 149.0],
}


def test_series_of_different_scales_get_their_own_panel():
    assert scale_groups(VAE_HISTORY) == [["loss", "reconstruction_loss", "val_loss"], ["kl_loss"]]
    assert scale_groups({"d_loss": [0.7], "g_loss": [1.5]}) == [["d_loss", "g_loss"]]


def test_a_single_epoch_gets_a_single_whole_tick():
    figure = loss_curves({name: values[:1] for name, values in VAE_HISTORY.items()}, "VAE training")
    assert all(list(ax.get_xticks()) == [1] for ax in figure.get_axes())


def test_loss_curves_have_whole_epoch_ticks_and_legends_beside_the_axes():
    figure = loss_curves(VAE_HISTORY, "VAE training")
    axes = figure.get_axes()
    assert len(axes) == 2
    for ax in axes:
        ticks = [tick for tick in ax.get_xticks() if ax.get_xlim()[0] <= tick <= ax.get_xlim()[1]]
        assert ticks and all(float(tick).is_integer() for tick in ticks)
        legend = ax.get_legend()
        assert legend.get_bbox_to_anchor().x0 > ax.get_window_extent().x1  # beside the curves, not over them
    assert [line.get_label() for line in axes[1].get_lines()] == ["kl_loss"]
    assert np.allclose(axes[1].get_lines()[0].get_ydata(), VAE_HISTORY["kl_loss"])
