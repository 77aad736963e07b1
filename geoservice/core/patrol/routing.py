"""Routing on points in metres: the order to visit a patrol's stops.

The route is an open path: it starts at a fixed point (or at any stop) and does not
return. Coordinates are metres in a projected CRS (the patrol plan uses SWEREF 99 TM,
EPSG:3006) and legs are straight lines.

- :func:`nearest_neighbour_order` — always go to the nearest unvisited point;
- :func:`two_opt` — improve an order by 2-opt until no move shortens it;
- :func:`shortest_open_path` — the exact shortest order (Held–Karp), up to 12 points;
- :func:`route_length` — the length of an order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = [
    "nearest_neighbour_order",
    "route_length",
    "shortest_open_path",
    "two_opt",
]


def _points(points_xy: npt.ArrayLike) -> np.ndarray:
    pts = np.asarray(points_xy, dtype=float)
    if pts.size == 0:
        return pts.reshape(0, 2)
    if pts.ndim != 2 or pts.shape[1] != 2 or not np.isfinite(pts).all():
        raise ValueError(f"'points_xy' should be finite (n, 2) coordinates, got shape {pts.shape}")
    return pts


def _start(start_xy: npt.ArrayLike | None) -> np.ndarray | None:
    if start_xy is None:
        return None
    xy = np.asarray(start_xy, dtype=float).ravel()
    if xy.shape != (2,) or not np.isfinite(xy).all():
        raise ValueError(f"'start_xy' should be one finite (x, y) pair, got {start_xy!r}")
    return xy


def _order(order: Sequence[int] | npt.ArrayLike, n: int) -> list[int]:
    out = [int(i) for i in np.asarray(order).ravel()]
    if sorted(out) != list(range(n)):
        raise ValueError(f"'order' should be a permutation of 0..{n - 1}, got {out}")
    return out


def _path_distances(pts: np.ndarray, start: np.ndarray | None) -> np.ndarray:
    """Distances between the points, a start node ``n`` and a free end node ``n + 1``.

    The end node is 0 m from everything, which makes the path open; without a start the
    start node is 0 m from everything too, so the path may begin anywhere.
    """
    n = len(pts)
    nodes = np.vstack([pts, np.zeros((2, 2)) if start is None else [start, start]])
    d = np.hypot(*(nodes[:, None, :] - nodes[None, :, :]).transpose(2, 0, 1))
    d[n + 1, :] = d[:, n + 1] = 0.0
    if start is None:
        d[n, :] = d[:, n] = 0.0
    return d


def route_length(
    points_xy: npt.ArrayLike, order: Sequence[int], start_xy: npt.ArrayLike | None = None
) -> float:
    """Return the length of the open path ``start → points[order[0]] → …``.

    Parameters
    ----------
    points_xy : array_like, shape (n, 2)
        Stop coordinates in metres (e.g. EPSG:3006).
    order : sequence of int
        Visiting order, a permutation of ``range(n)``.
    start_xy : array_like, shape (2,), optional
        Start point; without it the path starts at the first stop.

    Returns
    -------
    float
        Sum of straight-line leg lengths, in the units of the coordinates. The path does
        not return to the start.
    """
    pts, start = _points(points_xy), _start(start_xy)
    seq = pts[_order(order, len(pts))]
    if start is not None:
        seq = np.vstack([start, seq])
    if len(seq) < 2:
        return 0.0
    return float(np.hypot(*np.diff(seq, axis=0).T).sum())


def nearest_neighbour_order(
    points_xy: npt.ArrayLike, start_xy: npt.ArrayLike | None = None
) -> list[int]:
    """Return a visiting order by always going to the nearest unvisited point.

    Parameters
    ----------
    points_xy : array_like, shape (n, 2)
        Stop coordinates in metres.
    start_xy : array_like, shape (2,), optional
        Where the walk starts; without it, at point 0.

    Returns
    -------
    list of int
        A permutation of ``range(n)``; ties go to the lower index.
    """
    pts, start = _points(points_xy), _start(start_xy)
    n = len(pts)
    if n == 0:
        return []
    left = np.ones(n, dtype=bool)
    if start is None:
        order, here = [0], pts[0]
        left[0] = False
    else:
        order, here = [], start
    while left.any():
        dist = np.where(left, np.hypot(*(pts - here).T), np.inf)
        nxt = int(np.argmin(dist))
        order.append(nxt)
        left[nxt] = False
        here = pts[nxt]
    return order


def two_opt(
    points_xy: npt.ArrayLike, order: Sequence[int], start_xy: npt.ArrayLike | None = None
) -> list[int]:
    """Improve an open-path visiting order by 2-opt until no move shortens it.

    Parameters
    ----------
    points_xy : array_like, shape (n, 2)
        Stop coordinates in metres.
    order : sequence of int
        Initial visiting order (e.g. :func:`nearest_neighbour_order`).
    start_xy : array_like, shape (2,), optional
        Fixed start point that is not itself a stop. Without it both ends are free.

    Returns
    -------
    list of int
        A visiting order never longer than ``order``.

    Notes
    -----
    Best-improvement 2-opt on an open path: the path is ``start, stops…, end`` where
    ``end`` is a free node at distance 0 from everything (and so is ``start`` when none
    is given). A move reverses the stops ``i..j``; the segment may include the first
    or the last stop, so the path's first stop and its end can change, never the start.
    Each pass applies the move that shortens the path most, until none shortens it by
    more than a millimetre. The result is 2-optimal, not necessarily shortest.
    """
    pts, start = _points(points_xy), _start(start_xy)
    n = len(pts)
    path = [n, *_order(order, n), n + 1]
    if n < 2:
        return path[1:-1]
    d = _path_distances(pts, start)
    while True:
        best, move = -1e-3, None
        for i in range(1, n):
            a, b = path[i - 1], path[i]
            for j in range(i + 1, n + 1):
                c, e = path[j], path[j + 1]
                delta = d[a, c] + d[b, e] - d[a, b] - d[c, e]
                if delta < best:
                    best, move = delta, (i, j)
        if move is None:
            return path[1:-1]
        i, j = move
        path[i : j + 1] = path[i : j + 1][::-1]


def shortest_open_path(
    points_xy: npt.ArrayLike, start_xy: npt.ArrayLike | None = None
) -> list[int]:
    """Return the exact shortest open-path visiting order (Held–Karp dynamic programme).

    Parameters
    ----------
    points_xy : array_like, shape (n, 2)
        Stop coordinates in metres; ``n`` at most 12 (time and memory grow as
        ``n**2 2**n``).
    start_xy : array_like, shape (2,), optional
        Fixed start point; without it the path may start at any stop.

    Returns
    -------
    list of int
        A shortest visiting order; among equally short ones, the one found first.
    """
    pts, start = _points(points_xy), _start(start_xy)
    n = len(pts)
    if n > 12:
        raise ValueError(f"'points_xy' should hold at most 12 points for an exact search, got {n}")
    if n < 2:
        return list(range(n))
    d = _path_distances(pts, start)[: n + 1, : n + 1]
    full = 1 << n
    cost = np.full((full, n), np.inf)
    back = np.full((full, n), -1, dtype=np.int64)
    for j in range(n):
        cost[1 << j, j] = d[n, j]
    for mask in range(1, full):
        members = [j for j in range(n) if mask >> j & 1]
        if len(members) < 2:
            continue
        for j in members:
            # cost[prev, k] is inf for k outside prev, so the minimum skips them.
            options = cost[mask ^ (1 << j)] + d[:n, j]
            back[mask, j] = k = int(np.argmin(options))
            cost[mask, j] = options[k]
    last = int(np.argmin(cost[full - 1]))
    order, mask = [], full - 1
    while last >= 0:
        order.append(last)
        mask, last = mask ^ (1 << last), int(back[mask, last])
    return order[::-1]
