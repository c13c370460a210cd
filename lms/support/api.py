"""What other packages may read of support: aggregated figures, never the questions themselves."""

from lms.support.services import Figures, figures

__all__ = ["Figures", "figures_by_country"]


def figures_by_country(countries: set[str] | None) -> list[Figures]:
    """Return questions asked, median response and resolution hours and the helpful share per country."""
    return figures("country", countries)
