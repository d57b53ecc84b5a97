"""The NumPy engine: ``minimize`` stepping in Python over NumPy arrays (the default).

- :mod:`~descentlab.engines.numpy_engine.loop`: the vectorized loop over a batch of starts;
- :mod:`~descentlab.engines.numpy_engine.run_state`: each start's status, message and count;
- :mod:`~descentlab.engines.numpy_engine.evaluation`: the calls of the user's code, checked
  and counted, with noise, minibatches and online rounds;
- :mod:`~descentlab.engines.numpy_engine.allocator`: reusing freed memory on big arrays.

The record of the path (:mod:`descentlab.engines.recorder`) is shared with the JAX engine.
"""
