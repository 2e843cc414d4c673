"""The one way pages show an error: what went wrong, then what to do next.

A StudioError (services/errors.py) carries both. Anything else escaping a page is a bug: the
page run's catch (app.py) shows a short message with the traceback folded away and logs it;
Streamlit keeps the session state of a script run that ends in an exception, so the person's
choices survive it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import streamlit as st

from services.errors import StudioError, ValidationError

logger = logging.getLogger(__name__)
SUMMARY_CHARS = 200  # the rest is in the folded traceback


def show_error(
    error: StudioError, about: str = "", *, level: Literal["error", "warning"] = "error"
) -> None:
    """The error's message (each reason of a ValidationError), then its hint.

    `about` names what failed when a page shows several (an endpoint, "No estimate").
    """
    reasons = error.reasons if isinstance(error, ValidationError) else [error.message]
    box = st.warning if level == "warning" else st.error
    for reason in reasons:
        box(f"**{about}**: {reason}" if about else reason)
    if error.hint:
        st.info(error.hint)


@contextmanager
def errors_shown() -> Iterator[None]:
    """Around a page run: an error the page did not handle is shown and logged, not raised."""
    try:
        yield
    except StudioError as error:
        logger.warning("unhandled on the page: %s", error)
        show_error(error)
    except Exception as error:  # st.stop/st.rerun are BaseException: they pass through
        logger.exception("page failed")
        summary = f"{type(error).__name__}: {error}"[:SUMMARY_CHARS]
        st.error(f"Something went wrong on this page ({summary}).")
        st.caption("Your choices are kept: change something or reload the page to try again.")
        with st.expander("Details"):
            st.exception(error)
