"""What the council's lägesbild keeps besides concerns: figures added by hand, hidden quotes."""
