"""The HTTP layer: the Litestar app factory, controllers and the mapping of errors."""
