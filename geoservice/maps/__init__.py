"""folium builders: functions that return map objects, and small custom map elements."""
