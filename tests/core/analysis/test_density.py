"""Density surface: mass kept, agreement with the exact KDE, radius, empty input, image."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Transformer

from geoservice.core.analysis.density import exact_quartic_kde, quartic_kde, quartic_kernel

TO_LONLAT = Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)
CENTRE = (350_000.0, 6_500_000.0)  # EPSG:3006, near Mellerud


def scatter(n: int, spread: float = 150.0, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = CENTRE[0] + rng.normal(0, spread, n)
    y = CENTRE[1] + rng.normal(0, spread, n)
    lon, lat = TO_LONLAT.transform(x, y)
    return x, y, lon, lat


def test_kernel_integrates_to_one():
    step = 1.0
    offsets = np.arange(-300, 301) * step
    xx, yy = np.meshgrid(offsets, offsets)

    assert quartic_kernel(np.hypot(xx, yy), 250).sum() * step**2 == pytest.approx(1, rel=1e-3)


@pytest.mark.parametrize(("cell_size", "radius"), [(25, 250), (10, 100), (50, 120)])
def test_surface_integrates_to_the_number_of_points(cell_size, radius):
    *_, lon, lat = scatter(1000, spread=2000)

    surface = quartic_kde(lon, lat, cell_size=cell_size, radius=radius)

    assert surface.cell_counts().sum() == pytest.approx(1000, rel=0.01)
    assert surface.density.min() >= 0


def test_weights_scale_the_integral():
    *_, lon, lat = scatter(300)

    surface = quartic_kde(lon, lat, weights=np.full(300, 0.25))

    assert surface.cell_counts().sum() == pytest.approx(75, rel=0.01)


def test_binned_fft_surface_matches_exact_kde():
    x, y, lon, lat = scatter(200)
    bounds = (CENTRE[0] - 500, CENTRE[1] - 500, CENTRE[0] + 500, CENTRE[1] + 500)

    surface = quartic_kde(lon, lat, cell_size=25, radius=250, bounds=bounds)
    gx, gy = surface.cell_centres()
    exact = exact_quartic_kde(
        np.column_stack([x, y]), np.column_stack([gx.ravel(), gy.ravel()]), 250
    )

    assert surface.density.shape == (40, 40)
    assert np.corrcoef(exact, surface.density.ravel())[0, 1] >= 0.999
    np.testing.assert_allclose(surface.density.ravel(), exact, atol=0.02 * exact.max())


def test_larger_radius_gives_a_smoother_lower_peak():
    *_, lon, lat = scatter(500, spread=60)

    narrow = quartic_kde(lon, lat, radius=150)
    wide = quartic_kde(lon, lat, radius=500)

    assert wide.density.max() < narrow.density.max()
    assert (wide.density > 0).sum() > (narrow.density > 0).sum()
    assert wide.cell_counts().sum() == pytest.approx(narrow.cell_counts().sum(), rel=1e-6)


def test_density_is_zero_beyond_the_radius():
    lon, lat = TO_LONLAT.transform([CENTRE[0]], [CENTRE[1]])
    surface = quartic_kde(lon, lat, cell_size=25, radius=250)
    gx, gy = surface.cell_centres()
    distance = np.hypot(gx - CENTRE[0], gy - CENTRE[1])

    assert (surface.density[distance > 250 + 25 * 1.5] == 0).all()
    assert surface.density[distance < 100].min() > 0


def test_empty_input_gives_a_zero_surface():
    bounds = (CENTRE[0], CENTRE[1], CENTRE[0] + 1000, CENTRE[1] + 500)

    assert quartic_kde([], []).density.size == 0
    surface = quartic_kde([], [], bounds=bounds)
    assert surface.density.shape == (20, 40)
    assert not surface.density.any()
    rgba, _ = surface.rgba_image()
    assert not rgba[..., 3].any()


def test_grid_extent_is_named_in_both_crs():
    *_, lon, lat = scatter(100)

    surface = quartic_kde(lon, lat)
    x_min, y_min, x_max, y_max = surface.bounds
    west, south, east, north = surface.bounds_4326

    assert surface.crs == "EPSG:3006"
    assert (x_max - x_min, y_max - y_min) == (
        surface.density.shape[1] * 25,
        surface.density.shape[0] * 25,
    )
    assert west < min(lon) < max(lon) < east and south < min(lat) < max(lat) < north


def test_rgba_image_is_transparent_where_density_is_near_zero():
    *_, lon, lat = scatter(300)
    surface = quartic_kde(lon, lat)

    rgba, ((south, west), (north, east)) = surface.rgba_image()

    assert rgba.dtype == np.uint8 and rgba.shape[2] == 4
    alpha = rgba[..., 3]
    assert alpha[0, 0] == 0 and alpha[-1, -1] == 0  # corners: beyond every kernel
    assert alpha.max() > 200
    assert (south, west) == (surface.bounds_4326[1], surface.bounds_4326[0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"radius": 0}, "radius"), ({"cell_size": -5}, "cell_size"), ({"weights": [1]}, "weights")],
)
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        quartic_kde([12.45, 12.46], [58.70, 58.71], **kwargs)
