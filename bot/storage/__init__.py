"""Persistence: SQLAlchemy 2 async models, the one engine/session factory, Alembic migrations."""
