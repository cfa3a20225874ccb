"""The directory search as both the portal and the staff pages run it: the form, the place
typed (placed with the agency's own address table), and the results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from beatbook.core.exceptions import DomainError
from beatbook.resources.forms import ServiceSearchForm
from beatbook.resources.selectors import SearchResult, services_search


@dataclass
class Search:
    form: ServiceSearchForm
    results: list[SearchResult] = field(default_factory=list)
    searched: bool = False
    place_label: str = ""


def search_run(
    params: QueryDict,
    *,
    language_code: str,
    near: tuple[float, float] | None = None,
    place_label: str = "",
) -> Search:
    form = ServiceSearchForm(params, language_code=language_code)
    search = Search(form=form, place_label=place_label)
    if not form.is_valid():
        return search
    data: dict[str, Any] = form.cleaned_data
    typed = (data.get("near") or "").strip()
    if typed:
        from beatbook.places.selectors import geocode

        try:
            match = geocode(text=typed)
        except DomainError as exc:
            form.add_error("near", exc.message)
            return search
        near, search.place_label = (match.lat, match.lon), match.block_text
    within = data.get("within_km")
    search.results = services_search(
        need=form.need_term(),
        near=near,
        within_km=float(within) if within else None,
        language=data.get("language") or "",
        open_now=bool(data.get("open_now")),
        age=data.get("age"),
        words=data.get("words") or "",
    )
    search.searched = True
    return search
