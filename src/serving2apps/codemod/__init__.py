"""libcst codemods that turn a Model Serving ResponsesAgent file into MLflow agent server code."""
