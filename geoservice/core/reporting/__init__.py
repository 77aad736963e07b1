"""The period report (lägesbild), its PDF, exports and the action plan's follow-up."""
