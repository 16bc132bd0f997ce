"""How a server process starts: its query workers first, then the app. The workers are started
before FastAPI is imported, so that opening the store in them and importing FastAPI here (about
0.6 s each) run side by side."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from kg.web.settings import SETTINGS_VARIABLE, Settings, query_workers, settings_from_json

if TYPE_CHECKING:
    from fastapi import FastAPI


def start_app(settings: Settings) -> FastAPI:
    """The app of one server process, its query workers started first."""
    workers = query_workers(settings, settings.store_path)
    from kg.web.app import create_app

    return create_app(settings, workers)


def create_app_from_environment() -> FastAPI:
    """The app of one of several server processes: its settings come from the parent's environment."""
    return start_app(settings_from_json(os.environ[SETTINGS_VARIABLE]))
