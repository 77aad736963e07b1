"""Persistence: SQLAlchemy models and repository functions that hand out DataFrames."""
