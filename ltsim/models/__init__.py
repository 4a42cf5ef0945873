"""Models: pure functions over numpy arrays with typed inputs and results. None reads files."""
