"""Partner organisations and their event reports: tables and repository functions."""
