"""Staff pages for mediation cases and victim assistance."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from beatbook.casework import forms as case_forms
from beatbook.casework import selectors
from beatbook.casework.models import MediationCase
from beatbook.casework.services import mediation, victims
from beatbook.core.dates import days_since
from beatbook.core.exceptions import DomainError, NotFound
from beatbook.core.forms import apply_error
from beatbook.core.history import history_for
from beatbook.core.pdf import pdf_response, render_pdf
from beatbook.core.permissions import RoleRequiredMixin, request_user
from beatbook.core.roles import ANALYTICS_ROLES, Role

MEDIATION_STAFF = mediation.MEDIATION_STAFF
VICTIM_STAFF = frozenset({Role.CSO, Role.SUPERVISOR, Role.VICTIM_SERVICES})


def _call(request: HttpRequest, call_id: Any) -> Any:
    from beatbook.calls.selectors import call_get_optional

    call = call_get_optional(viewer=request_user(request), call_id=call_id)
    if call_id and call is None:
        raise NotFound("No such call.")
    return call


def _referral(request: HttpRequest, referral_id: Any) -> Any:
    if not referral_id:
        return None
    from beatbook.resources.selectors import referrals_visible_to

    if not str(referral_id).isdigit():
        raise NotFound("No such referral.")
    found = referrals_visible_to(request_user(request)).filter(pk=int(referral_id)).first()
    if found is None:
        raise NotFound("No such referral.")
    return found


def _case(case_id: int) -> MediationCase:
    case = selectors.mediation_cases().filter(pk=case_id).first()
    if case is None:
        raise NotFound("No such case.")
    return case


class MediationListView(RoleRequiredMixin, View):
    allowed_roles = MEDIATION_STAFF

    def get(self, request: HttpRequest) -> HttpResponse:
        cases = selectors.mediation_cases()
        show = request.GET.get("show", "open")
        if show == "open":
            cases = cases.exclude(status__in=["no_agreement", "declined", "closed"])
        elif show == "mine":
            cases = cases.filter(mediator=request_user(request))
        due = selectors.follow_ups_due()
        return render(
            request,
            "casework/mediation_list.html",
            {"cases": cases[:200], "show": show, "due": due},
        )


class MediationCreateView(RoleRequiredMixin, View):
    allowed_roles = MEDIATION_STAFF

    def get(self, request: HttpRequest) -> HttpResponse:
        call = _call(request, request.GET.get("call"))
        referral = _referral(request, request.GET.get("referral"))
        initial: dict[str, Any] = {"mediator": request.user.pk}
        if referral is not None:
            initial.update(referral=referral.pk, summary=referral.note)
        if call is not None:
            initial.update(
                call=call.pk,
                address=call.address_text or call.block_text,
                summary=call.description,
                dispute_type="noise" if "noise" in call.call_type.name.lower() else "other",
            )
        first_party = None
        if call is not None and call.caller_name:
            first_party = {"name": call.caller_name, "phone": call.caller_phone, "role": "caller"}
        elif referral is not None:
            first_party = {
                "name": referral.resident_name,
                "phone": referral.resident_phone,
                "email": referral.resident_email,
                "language": referral.resident_language,
                "role": "referred resident",
            }
        parties = case_forms.PartyFormSet(initial=[first_party] if first_party else None)
        return self._render(request, case_forms.MediationCaseForm(initial=initial), parties, call)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = case_forms.MediationCaseForm(request.POST)
        parties = case_forms.PartyFormSet(request.POST)
        call = _call(request, request.POST.get("call"))
        referral = _referral(request, request.POST.get("referral"))
        if form.is_valid() and parties.is_valid():
            data = form.cleaned_data
            try:
                case = mediation.mediation_open(
                    actor=request_user(request),
                    dispute_type=data["dispute_type"],
                    summary=data["summary"],
                    address=data["address"],
                    parties=[p for p in parties.cleaned_data if p],
                    call=call,
                    referral=referral,
                    mediator=data["mediator"],
                    partner=data["partner"],
                    clear_call=bool(call is not None and data["clear_call"]),
                )
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, f"{case.number} opened.")
                return redirect("casework:mediation_detail", case_id=case.pk)
        return self._render(request, form, parties, call, status=400)

    def _render(
        self, request: HttpRequest, form: Any, parties: Any, call: Any, status: int = 200
    ) -> HttpResponse:
        context = {"form": form, "parties": parties, "call": call}
        return render(request, "casework/mediation_form.html", context, status=status)


def _detail(
    request: HttpRequest, case: MediationCase, status: int = 200, **forms_: Any
) -> HttpResponse:
    context = {
        "case": case,
        "parties": case.parties.all(),
        "sessions": case.sessions.all(),
        "follow_ups": case.follow_ups.all(),
        "calls": selectors.address_calls(case),
        "before_after": selectors.before_after(case),
        "can_analyse": request_user(request).role in ANALYTICS_ROLES,
        # The comparison needs a whole day after the agreement.
        "can_compare": case.agreed_at is not None
        and days_since(timezone.localdate(case.agreed_at)) >= 1,
        "radius_m": selectors.ADDRESS_RADIUS_M,
        "history": history_for(case),
        "is_open": case.status not in ("no_agreement", "declined", "closed"),
        "session_form": forms_.get("session") or case_forms.SessionForm(),
        "outcome_form": case_forms.SessionOutcomeForm(),
        "agreement_form": forms_.get("agreement")
        or case_forms.AgreementForm(initial={"agreement_text": case.agreement_text}),
        "signed_form": forms_.get("signed") or case_forms.SignedAgreementForm(),
        "follow_up_form": case_forms.FollowUpForm(),
        "close_form": forms_.get("close") or case_forms.CloseForm(),
        "errors": forms_.get("errors", []),
    }
    return render(request, "casework/mediation_detail.html", context, status=status)


class MediationDetailView(RoleRequiredMixin, View):
    allowed_roles = MEDIATION_STAFF

    def get(self, request: HttpRequest, case_id: int) -> HttpResponse:
        return _detail(request, _case(case_id))


class MediationStepView(RoleRequiredMixin, View):
    """Each step posts here and comes back to the case, or shows the case with the error."""

    allowed_roles = MEDIATION_STAFF
    FORMS = {
        "session": case_forms.SessionForm,
        "agreement": case_forms.AgreementForm,
        "signed": case_forms.SignedAgreementForm,
        "close": case_forms.CloseForm,
        "session-outcome": case_forms.SessionOutcomeForm,
        "follow-up": case_forms.FollowUpForm,
    }

    def post(self, request: HttpRequest, case_id: int, step: str, item: int = 0) -> HttpResponse:
        case = _case(case_id)
        form_class = self.FORMS.get(step)
        if form_class is None:
            raise NotFound()
        form = form_class(request.POST, request.FILES)
        if form.is_valid():
            try:
                self._apply(request, case, step, item, form.cleaned_data)
            except DomainError as exc:
                apply_error(form, exc)
            else:
                return redirect("casework:mediation_detail", case_id=case.pk)
        key = step if step in ("session", "agreement", "signed", "close") else "other"
        errors = [e for errs in form.errors.values() for e in errs]
        return _detail(request, _case(case_id), status=400, **{key: form, "errors": errors})

    def _apply(
        self, request: HttpRequest, case: MediationCase, step: str, item: int, data: dict[str, Any]
    ) -> None:
        actor = request_user(request)
        if step == "session":
            mediation.session_schedule(actor=actor, case=case, **data)
            messages.success(
                request,
                "Session scheduled; the parties who chose email get a reminder the day before.",
            )
        elif step == "session-outcome":
            session = case.sessions.filter(pk=item).first()
            if session is None:
                raise NotFound()
            mediation.session_record(actor=actor, session=session, **data)
        elif step == "agreement":
            mediation.agreement_record(actor=actor, case=case, text=data["agreement_text"])
            messages.success(request, "Agreement recorded; follow-ups planned at 30 and 90 days.")
        elif step == "signed":
            mediation.signed_agreement_attach(actor=actor, case=case, upload=data["signed_pdf"])
            messages.success(request, "Signed agreement attached.")
        elif step == "follow-up":
            follow_up = case.follow_ups.filter(pk=item).first()
            if follow_up is None:
                raise NotFound()
            mediation.follow_up_record(actor=actor, follow_up=follow_up, **data)
        elif step == "close":
            mediation.case_close(actor=actor, case=case, **data)


class AgreementPdfView(RoleRequiredMixin, View):
    """The agreement laid out for the parties to sign."""

    allowed_roles = MEDIATION_STAFF

    def get(self, request: HttpRequest, case_id: int) -> HttpResponse:
        case = _case(case_id)
        if not case.agreement_text:
            raise NotFound("No agreement recorded yet.")
        content = render_pdf(
            "casework/agreement_pdf.html",
            {"case": case, "parties": case.parties.all(), "printed": timezone.now()},
            request,
        )
        return pdf_response(f"{case.number}-agreement.pdf", content)


class SignedAgreementView(RoleRequiredMixin, View):
    allowed_roles = MEDIATION_STAFF

    def get(self, request: HttpRequest, case_id: int) -> FileResponse:
        case = _case(case_id)
        if not case.signed_pdf:
            raise NotFound("No signed copy attached.")
        return FileResponse(
            case.signed_pdf.open("rb"),
            as_attachment=True,
            filename=f"{case.number}-signed.pdf",
            content_type="application/pdf",
        )


# ---------------------------------------------------------------- victim assistance


class VictimListView(RoleRequiredMixin, View):
    allowed_roles = VICTIM_STAFF

    def get(self, request: HttpRequest) -> HttpResponse:
        records = selectors.victim_assistance_visible_to(request_user(request))
        return render(request, "casework/victim_list.html", {"records": records[:200]})


class VictimOpenView(RoleRequiredMixin, View):
    allowed_roles = victims.VICTIM_OPENERS

    def post(self, request: HttpRequest, person_id: int) -> HttpResponse:
        from beatbook.records.models import ReportPerson

        person = ReportPerson.objects.select_related("report").filter(pk=person_id).first()
        if person is None:
            raise NotFound("No such person.")
        try:
            assistance = victims.victim_assistance_open(actor=request_user(request), person=person)
        except DomainError as exc:
            if exc.http_status == 404:
                raise
            messages.error(request, exc.message)
            return redirect("records:report_detail", report_id=person.report_id)
        return redirect("casework:victim_detail", assistance_id=assistance.pk)


def _victim_detail(
    request: HttpRequest, assistance: Any, status: int = 200, **forms_: Any
) -> HttpResponse:
    context = {
        "assistance": assistance,
        "person": assistance.person,
        "report": assistance.person.report,
        "steps": assistance.steps.select_related("done_by", "service"),
        "assigned": assistance.assigned.all(),
        "history": history_for(assistance),
        "step_form": forms_.get("step") or case_forms.VictimStepForm(),
        "consent_form": forms_.get("consent") or case_forms.ReleaseConsentForm(),
        "assign_form": forms_.get("assign") or case_forms.AssignForm(),
        "kinds": case_forms.VictimStepKind,
        "today": timezone.localdate(),
    }
    return render(request, "casework/victim_detail.html", context, status=status)


class VictimDetailView(RoleRequiredMixin, View):
    allowed_roles = VICTIM_STAFF

    def get(self, request: HttpRequest, assistance_id: int) -> HttpResponse:
        assistance = selectors.victim_assistance_get(
            user=request_user(request), assistance_id=assistance_id
        )
        return _victim_detail(request, assistance)


class VictimStepView(RoleRequiredMixin, View):
    allowed_roles = VICTIM_STAFF
    FORMS = {
        "step": case_forms.VictimStepForm,
        "consent": case_forms.ReleaseConsentForm,
        "assign": case_forms.AssignForm,
    }

    def post(
        self, request: HttpRequest, assistance_id: int, step: str, item: int = 0
    ) -> HttpResponse:
        actor = request_user(request)
        assistance = selectors.victim_assistance_get(user=actor, assistance_id=assistance_id)
        if step == "done":
            found = assistance.steps.filter(pk=item).first()
            if found is None:
                raise NotFound()
            try:
                victims.victim_step_done(
                    actor=actor, step=found, detail=request.POST.get("detail", "")
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            return redirect("casework:victim_detail", assistance_id=assistance.pk)
        form_class = self.FORMS.get(step)
        if form_class is None:
            raise NotFound()
        form = form_class(request.POST)
        if form.is_valid():
            try:
                if step == "step":
                    victims.victim_step_record(
                        actor=actor, assistance=assistance, **form.cleaned_data
                    )
                elif step == "consent":
                    victims.release_consent_record(
                        actor=actor, assistance=assistance, **form.cleaned_data
                    )
                else:
                    victims.victim_assign(
                        actor=actor, assistance=assistance, user=form.cleaned_data["user"]
                    )
            except DomainError as exc:
                apply_error(form, exc)
            else:
                return redirect("casework:victim_detail", assistance_id=assistance.pk)
        return _victim_detail(request, assistance, status=400, **{step: form})
