"""Learning-rate-free methods: the step size estimated from the run itself (a distance to the
solution, from the gradients seen and the distance travelled)."""
