"""Renderers: the Excel workbook and the quote document. They read results; they never
recompute the model differently. Nothing in the core imports this package."""
