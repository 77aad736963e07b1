"""Intake of concerns: validation of submissions and import of earlier dialogue rounds."""
