"""Analysis of concerns: counts, density, hex grid, hotspots, time windows, accuracy."""
