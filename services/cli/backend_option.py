"""The `--backend local|azure` option, shared by the verbs that talk to a Backend."""

from __future__ import annotations

from services.backends import BACKEND_NAMES, create_backend, default_backend_name
from services.backends.base import Backend
from services.errors import StudioError


def add_backend_flag(parser) -> None:
    parser.add_argument(
        "--backend",
        choices=BACKEND_NAMES,
        default=None,
        help="where models and compute live (default: $STUDIO_BACKEND or local)",
    )


def backend_from_args(args) -> Backend:
    """The backend `--backend` names; Azure connects from config.json or AZURE_* variables."""
    name = args.backend or default_backend_name()
    try:
        return create_backend(name)
    except StudioError:
        raise
    except Exception as error:  # e.g. the azure extras missing: say so instead of a traceback
        raise StudioError(
            f"The {name} backend could not be created: {error}",
            hint="Check the installation (pip install -r requirements.txt) and the connection "
            "settings, or use --backend local.",
        ) from error
