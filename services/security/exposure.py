"""Whether the app may listen where it was told to: loopback always; anything else needs sign-in.

Without sign-in, whoever reaches the port can submit jobs that bill a subscription, deploy
endpoints and reveal their keys. So a non-loopback address is refused unless .streamlit/
secrets.toml has an [auth] section, or the operator declares the network trusted with
STUDIO_TRUSTED_NETWORK=1. An empty address is Streamlit's "every interface".
"""

from __future__ import annotations

import ipaddress
import os

TRUSTED_ENV = "STUDIO_TRUSTED_NETWORK"
LOOPBACK_NAMES = {"localhost", "localhost."}


def is_loopback(address: str | None) -> bool:
    """Whether `address` (a server.address value) listens on this machine only."""
    host = (address or "").strip().strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # "" (every interface), 0.0.0.0 or a host name that may resolve anywhere


def trusted_network() -> bool:
    """Whether the operator declared the network trusted (STUDIO_TRUSTED_NETWORK=1)."""
    return os.environ.get(TRUSTED_ENV, "").strip().lower() in {"1", "true", "yes"}


def exposure_refusal(address: str | None, has_auth: bool, trusted: bool) -> str | None:
    """None when the app may serve on `address`; otherwise why not and what to do."""
    if is_loopback(address) or has_auth or trusted:
        return None
    where = f"address {address!r}" if address else "every network interface"
    return (
        f"Fine-Tune Studio refuses to serve on {where} without sign-in: anyone who reaches "
        "the port could start jobs, deploy endpoints and read their keys.\n"
        "  - Stay on this machine: `make run`, or `streamlit run app.py` without "
        "--server.address (it binds to localhost).\n"
        "  - Or add sign-in: an [auth] section in .streamlit/secrets.toml "
        "(README, 'Share it safely').\n"
        f"  - Or, on a network you trust, start it with {TRUSTED_ENV}=1.\n"
        "  Others reach the app only by the host names in server.allowedHosts "
        "(.streamlit/config.toml): add yours, e.g. --server.allowedHosts studio.example.com."
    )
