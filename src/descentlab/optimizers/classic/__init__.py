"""Gradient descent and its momentum: a step along the gradient, and memory of the steps before."""
