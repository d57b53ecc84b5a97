"""The JAX engine's compiler options: 512-bit vectors where the CPU has AVX-512, a knob to
choose the width, a fallback when XLA does not know the option, and the same numbers at
every width."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

jax = pytest.importorskip("jax")

import jax.numpy as jnp  # noqa: E402

from descentlab.engines.jax_engine import loop, options  # noqa: E402


@pytest.mark.parametrize("bits", ["128", "256", "512"])
def test_the_width_is_chosen_by_the_environment(monkeypatch, bits):
    monkeypatch.setenv(options.ENVIRONMENT, bits)
    assert options.compiler_options() == {"xla_cpu_prefer_vector_width": int(bits)}


@pytest.mark.parametrize(("avx512", "expected"), [(True, {"xla_cpu_prefer_vector_width": 512}),
                                                  (False, {})])  # fmt: skip
def test_by_default_wide_vectors_only_with_avx512(monkeypatch, avx512, expected):
    monkeypatch.delenv(options.ENVIRONMENT, raising=False)
    monkeypatch.setattr(options, "_has_avx512", lambda: avx512)
    assert options.compiler_options() == expected


def test_a_bad_width_is_one_clear_error(monkeypatch):
    monkeypatch.setenv(options.ENVIRONMENT, "wide")
    with pytest.raises(ValueError, match=r"DESCENTLAB_CPU_VECTOR_WIDTH must be one of 128, 256, "
                                         r"512 \(bits\), not 'wide'"):  # fmt: skip
        options.compiler_options()


def test_a_bad_width_stops_the_command_line_with_one_line():
    env = {**os.environ, options.ENVIRONMENT: "1024"}
    command = [str(Path(sys.executable).with_name("descentlab")), "run", "gd", "-f", "sphere",
               "--engine", "jax", "--n-iter", "3"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "DESCENTLAB_CPU_VECTOR_WIDTH must be one of 128, 256, 512 (bits), not '1024'" in (
        done.stderr + done.stdout)  # fmt: skip


def test_an_option_xla_does_not_know_falls_back_to_the_plain_program():
    compiled = options.Compiled(lambda p, x: x + p, 0, {"xla_cpu_no_such_option": 1})
    assert compiled.tuned is not None
    assert jnp.array_equal(compiled(2, jnp.ones(3)), jnp.full(3, 3.0))
    assert compiled.tuned is None  # and for good


def test_other_errors_are_not_taken_for_an_unknown_option():
    def broken(p, x):
        raise RuntimeError("the function's own error")

    compiled = options.Compiled(broken, 0, {"xla_cpu_prefer_vector_width": 512})
    with pytest.raises(RuntimeError, match="the function's own error"):
        compiled(1, jnp.ones(2))
    assert compiled.tuned is not None


def test_the_engine_compiles_with_the_options_of_this_machine():
    assert (loop.compiled_run.tuned is not None) == bool(options.compiler_options())


RUNS = """
import hashlib, numpy as np, descentlab as dl
digest = hashlib.sha256()
for name, d in (("rosenbrock", 50), ("sphere", 64), ("rastrigin", 33)):
    for noise in (None, dl.GradientNoise(0.1)):
        r = dl.minimize(dl.get_function(name, dim=d), dl.Adam(alpha=0.01), n_iter=100, starts=64,
                        seed=3, engine="jax", noise=noise, record="all")
        for a in (r.x, r.fun, r.grad_norm, r.path_fun, r.nit):
            digest.update(np.ascontiguousarray(a).tobytes())
print(digest.hexdigest())
"""


@pytest.mark.slow
def test_every_width_computes_the_same_numbers_bit_for_bit():
    digests = set()
    for bits in ("128", "512"):
        env = {**os.environ, options.ENVIRONMENT: bits}
        done = subprocess.run([sys.executable, "-c", RUNS], capture_output=True, text=True,
                              env=env, check=True)  # fmt: skip
        digests.add(done.stdout.split()[-1])
    assert len(digests) == 1
