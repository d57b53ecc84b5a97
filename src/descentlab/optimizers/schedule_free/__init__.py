"""Schedule-free methods: an average of the iterates stands in for a decaying step size."""
