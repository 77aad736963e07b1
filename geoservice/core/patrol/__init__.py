"""Patrol planning: ranked stops, visiting order, exports and evaluation."""
