from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views import View

from beatbook.calls.selectors import call_get
from beatbook.citations import forms as citation_forms
from beatbook.citations import services
from beatbook.citations.selectors import (
    CitationFilters,
    citation_get,
    citation_list,
    offender_history,
    ordinance_choices,
)
from beatbook.core.csv_export import csv_response
from beatbook.core.exceptions import DomainError
from beatbook.core.history import history_for
from beatbook.core.pdf import pdf_response, render_pdf
from beatbook.core.permissions import RoleRequiredMixin, request_user
from beatbook.core.roles import Role

READERS = frozenset({Role.CSO, Role.DISPATCHER, Role.SUPERVISOR, Role.ANALYST, Role.ADMIN})
ISSUERS = frozenset({Role.CSO, Role.SUPERVISOR})


class CitationListView(RoleRequiredMixin, View):
    allowed_roles = READERS

    def get(self, request: HttpRequest) -> HttpResponseBase:
        form = citation_forms.CitationFilterForm(request.GET)
        filters = CitationFilters()
        if form.is_valid():
            d = form.cleaned_data
            filters = CitationFilters(
                status=d["status"], kind=d["kind"], plate=d["plate"], text=d["q"]
            )
        citations = citation_list(viewer=request_user(request), filters=filters)
        if request.GET.get("format") == "csv":
            return csv_response(
                "citations.csv",
                [
                    "number",
                    "issued_at",
                    "kind",
                    "warning",
                    "ordinance",
                    "plate",
                    "state",
                    "person",
                    "block",
                    "beat",
                    "fine",
                    "offence",
                    "due_on",
                    "status",
                    "issued_by",
                ],
                (
                    [
                        c.number,
                        c.issued_at.isoformat(),
                        c.kind,
                        c.is_warning,
                        c.ordinance.code,
                        c.plate,
                        c.plate_state,
                        c.person_name,
                        c.block_text,
                        c.beat.name,
                        c.fine_amount,
                        c.offence_number,
                        c.due_on or "",
                        c.status,
                        c.issued_by.username,
                    ]
                    for c in citations
                ),
            )
        page = Paginator(citations, 50).get_page(request.GET.get("page"))
        return render(request, "citations/citation_list.html", {"form": form, "page": page})


class CitationIssueView(RoleRequiredMixin, View):
    allowed_roles = ISSUERS

    def get(self, request: HttpRequest) -> HttpResponse:
        viewer = request_user(request)
        form = citation_forms.CitationIssueForm(
            ordinances=ordinance_choices(viewer=viewer), initial={"call": request.GET.get("call")}
        )
        return render(request, "citations/citation_form.html", {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        viewer = request_user(request)
        form = citation_forms.CitationIssueForm(
            request.POST, ordinances=ordinance_choices(viewer=viewer)
        )
        if form.is_valid():
            data = dict(form.cleaned_data)
            call_id = data.pop("call")
            call = call_get(viewer=viewer, call_id=call_id) if call_id else None
            photos = [(f, f.size or 0) for f in request.FILES.getlist("photos")[:3]]
            try:
                citation = services.citation_issue(actor=viewer, call=call, photos=photos, **data)
            except DomainError as exc:
                field = getattr(exc, "field", None)
                form.add_error(
                    "address" if field == "location" else field if field in form.fields else None,
                    exc.message,
                )
            else:
                messages.success(request, f"{citation.number} issued: ${citation.fine_amount}.")
                return redirect("citations:citation_detail", citation_id=citation.pk)
        return render(request, "citations/citation_form.html", {"form": form}, status=400)


class OffenderHistoryView(RoleRequiredMixin, View):
    """Earlier citations for the plate or person being entered (shown while writing one)."""

    allowed_roles = READERS

    def get(self, request: HttpRequest) -> HttpResponse:
        history = offender_history(
            plate=request.GET.get("plate", ""), person_name=request.GET.get("person_name", "")
        )[:20]
        return render(request, "citations/_history.html", {"history": history})


def _context(request: HttpRequest, citation: Any) -> dict[str, Any]:
    viewer = request_user(request)
    return {
        "citation": citation,
        "history": history_for(citation),
        "earlier": offender_history(plate=citation.plate, person_name=citation.person_name).exclude(
            pk=citation.pk
        )[:10],
        "can_collect": viewer.role in services.CLERKS,
        "can_review": viewer.role in services.REVIEWERS and viewer.pk != citation.issued_by_id,
    }


class CitationDetailView(RoleRequiredMixin, View):
    allowed_roles = READERS

    def get(self, request: HttpRequest, citation_id: int) -> HttpResponse:
        citation = citation_get(viewer=request_user(request), citation_id=citation_id)
        return render(request, "citations/citation_detail.html", _context(request, citation))


class CitationActionView(RoleRequiredMixin, View):
    allowed_roles = READERS

    def post(self, request: HttpRequest, citation_id: int, action: str) -> HttpResponse:
        viewer = request_user(request)
        citation = citation_get(viewer=viewer, citation_id=citation_id)
        reason = request.POST.get("reason", "")
        try:
            if action == "pay":
                services.citation_pay(actor=viewer, citation=citation)
            elif action == "contest":
                services.citation_contest(actor=viewer, citation=citation, reason=reason)
            elif action == "decide":
                services.citation_decide(
                    actor=viewer, citation=citation, upheld=request.POST.get("upheld") == "yes"
                )
            elif action == "void":
                services.citation_void(actor=viewer, citation=citation, reason=reason)
            else:
                return HttpResponse(status=404)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{citation.number}: {action} done.")
        return redirect("citations:citation_detail", citation_id=citation.pk)


class CitationPrintView(RoleRequiredMixin, View):
    """The citation and the recipient's notice, to print or save as PDF."""

    allowed_roles = READERS

    def get(self, request: HttpRequest, citation_id: int, fmt: str) -> HttpResponse:
        citation = citation_get(viewer=request_user(request), citation_id=citation_id)
        context = _context(request, citation)
        if fmt == "pdf":
            return pdf_response(
                f"{citation.number}.pdf",
                render_pdf("citations/citation_pdf.html", context, request),
            )
        return render(request, "citations/citation_print.html", context)
