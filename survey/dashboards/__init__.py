"""The dashboard pages, and the plotly figures drawn from the analysis results."""
