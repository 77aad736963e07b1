"""Partner event reporting: the phone form, the events API, weekly lägesbild and tertial."""
