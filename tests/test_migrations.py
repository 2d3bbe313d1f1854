"""The Alembic migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select

from db.models import Base
from db.areas import ServiceArea


def test_migrated_schema_matches_models(database_url):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()

    assert differences == [], "models and migrations differ; add a migration for: " + repr(differences)


def test_migrations_create_the_default_area(database_url):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        slugs = connection.execute(select(ServiceArea.slug)).scalars().all()
    engine.dispose()

    assert "default" in slugs
