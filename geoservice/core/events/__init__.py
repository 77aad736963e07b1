"""Partner event reports (EST): checking them, the weekly lägesbild and the tertial ranking."""
