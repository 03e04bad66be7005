"""Capturing what the root logger's handlers would print, with the logging the CLI configures."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator

from adapters.bootstrap import configure_logging


@contextlib.contextmanager
def root_output(settings, *levels: tuple[str, int]) -> Iterator[io.StringIO]:
    """Root handlers replaced by one stream handler, set up by configure_logging (as `opengov-bot run` does);
    `levels` (logger name, level) are applied for the duration. Everything restored afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_levels = {name: logging.getLogger(name).level for name, _ in levels}
    stream = io.StringIO()
    root.handlers = [logging.StreamHandler(stream)]
    try:
        configure_logging(settings)
        for name, level in levels:
            logging.getLogger(name).setLevel(level)
        yield stream
    finally:
        root.handlers, root.level = saved_handlers, saved_level
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)
