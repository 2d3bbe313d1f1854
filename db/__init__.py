"""Data layer: SQLAlchemy models, the request lifecycle and Alembic migrations."""
