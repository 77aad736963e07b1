"""Safety walks, their observations and protocol actions: tables and repository functions."""
