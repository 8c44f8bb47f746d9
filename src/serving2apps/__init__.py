"""Migrate an MLflow ResponsesAgent from Databricks Model Serving to Databricks Apps."""

__version__ = "0.1.0"
