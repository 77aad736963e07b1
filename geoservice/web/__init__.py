"""Blueprints: thin views that call the store, the core and the map builders."""
