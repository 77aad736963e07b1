"""Published monthly tables, kept as first published so a month's figures never change."""
