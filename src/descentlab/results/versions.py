"""The run file's schema names: the one written, and every one that can be read."""

SCHEMA = "descentlab.run/2"
SCHEMAS = ("descentlab.run/1", SCHEMA)
