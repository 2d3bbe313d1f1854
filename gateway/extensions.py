"""Access to what create_app attached to the app."""

from flask import current_app
from redis import Redis

from db.session import Database
from gateway.settings import Settings


def get_database() -> Database:
    return current_app.extensions["hotline.db"]


def get_settings() -> Settings:
    return current_app.extensions["hotline.settings"]


def get_redis() -> Redis:
    return current_app.extensions["hotline.redis"].get()
