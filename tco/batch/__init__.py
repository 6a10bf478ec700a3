"""Scenario files of any size to results: ``tco batch run IN OUT`` (docs/batch.md).

The input (JSON Lines, or Parquet through pyarrow) is cut into chunks of rows, described by
byte offsets (JSON Lines) or row offsets (Parquet), so that whoever evaluates a chunk, this
process or a Dask worker, reads only that chunk from the file. Each chunk is evaluated in one
batch of the engine (:func:`tco.core.results.evaluate_many_json`); its results and refused rows
are written to part files beside the output, atomically, and the parts are assembled in order
at the end. A run that was interrupted resumes from its parts.

- :mod:`tco.batch.sources`: input formats, the chunk plan, reading one chunk's rows
- :mod:`tco.batch.chunk`: one chunk's rows to results and refusals
- :mod:`tco.batch.parts`: the part directory, its manifest, assembly
- :mod:`tco.batch.run`: the whole run, in this process or on Dask workers

A service-level module over the core: no command-line or terminal concerns (those are in
:mod:`tco.cli.batch`). pyarrow and dask are imported only where they are used.
"""
