"""The platform operator's pages: organisations, their first administrators and size, circles and
their members. The operator sees circle aggregates only, never a municipality's own records."""
