"""Named places (the gazetteer) as stored by the municipality, or the shipped starter set."""
