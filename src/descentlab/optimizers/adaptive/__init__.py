"""Per-coordinate adaptive methods: AdaGrad, RMSProp, Adadelta, and Adam and its relatives."""
