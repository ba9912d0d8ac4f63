"""The frames layer: business time over numpy, pandas, Arrow and Polars; event logs; Dask, Spark.

May import: ``expectkit.sla`` and below; never ``expectkit.text``.
"""
