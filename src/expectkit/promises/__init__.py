"""The promises layer: durations and windows, buffers, channels, policies and their files, quote().

Also lint, schema, presets and the policy and commitment HTML views.
May import: ``expectkit.time``, ``expectkit._core``.
"""
