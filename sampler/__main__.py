"""``python -m sampler``: the same CLI as the ``sampler`` command."""

from sampler.cli import app

app(prog_name="sampler")
