"""The desk's settings as a dependency of the API and the web page: discount limits per role
and the SMTP server (:class:`tco.desk_settings.DeskSettings`, read from the environment once
per application and kept in its state)."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, Request

from tco.desk_settings import DeskSettings

_lock = threading.Lock()


def desk_settings(request: Request) -> DeskSettings:
    """The application's desk settings (``app.state.desk_settings``, made on first use)."""
    state = request.app.state
    with _lock:
        found = getattr(state, "desk_settings", None)
        if not isinstance(found, DeskSettings):
            found = DeskSettings()
            state.desk_settings = found
    return found


DeskDep = Annotated[DeskSettings, Depends(desk_settings)]
