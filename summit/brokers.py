"""Celery broker transport options per broker URL: one definition, for the settings and for tests
that build a producer of their own against the same broker a worker uses."""

from pathlib import Path


def filesystem_broker_folders(var_dir):
    """Kombu's filesystem transport: messages in out/, acknowledged ones in processed/, control/ beside."""
    base = Path(var_dir) / "celery-broker"
    return {"out": base / "out", "processed": base / "processed", "control": base / "control"}


def broker_transport_options(broker_url, var_dir, *, visibility_timeout=3600):
    if broker_url == "filesystem://":
        folders = filesystem_broker_folders(var_dir)
        return {
            "data_folder_in": str(folders["out"]),
            "data_folder_out": str(folders["out"]),
            "processed_folder": str(folders["processed"]),
            "control_folder": str(folders["control"]),
            "store_processed": False,
        }
    if broker_url.startswith(("redis://", "rediss://")):
        return {"visibility_timeout": visibility_timeout, "socket_timeout": 30, "socket_connect_timeout": 5}
    return {}
