"""Synthetic demo corpus: generator, renderers, the direct scale mode and the default warehouse."""
