"""Wrappers: methods that take any optimizer and change how its steps are taken (Lookahead's
slow weights, cautious masking, SAM's ascent step), each a few dozen lines."""
