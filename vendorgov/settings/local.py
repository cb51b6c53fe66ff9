"""Settings for `make run` on a workstation: the embedded default unless variables say otherwise."""

from .base import *  # noqa: F403
