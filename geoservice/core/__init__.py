"""Pure domain functions over GeoDataFrames and arrays: no Flask, no database."""
