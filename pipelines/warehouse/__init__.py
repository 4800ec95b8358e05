"""The DuckDB warehouse: schema, views, connections, load, ingest, export."""
