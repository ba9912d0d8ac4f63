"""The bottom layer: the error tree, the frozen base model and the neutral HTML renderer.

Imports nothing else of expectkit. See docs/architecture.md for the layer map.
"""
