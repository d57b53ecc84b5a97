"""The playground: ``descentlab serve`` starts a local web page to explore the optimizers."""
