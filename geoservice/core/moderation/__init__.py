"""Moderation aids computed from concerns alone: possible duplicates near a concern."""
