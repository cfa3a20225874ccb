"""Answers to a call type's questions: checked against each question's datatype and list."""

from __future__ import annotations

from typing import Any

from django.utils.dateparse import parse_date, parse_datetime

from beatbook.calls.choices import QuestionDatatype
from beatbook.calls.models import CallType, CallTypeQuestion
from beatbook.core.exceptions import ValidationFailed

MAX_STRING = 200
MAX_TEXT = 2000


class AnswerInvalid(ValidationFailed):
    code = "answer_invalid"


def _one(question: CallTypeQuestion, raw: Any) -> Any:
    if isinstance(raw, list) and question.datatype != QuestionDatatype.MULTIVALUELIST:
        raw = raw[0] if raw else ""
    keys = {v["key"] for v in question.values}
    match question.datatype:
        case QuestionDatatype.STRING | QuestionDatatype.TEXT:
            limit = MAX_STRING if question.datatype == QuestionDatatype.STRING else MAX_TEXT
            value = str(raw).strip()
            if len(value) > limit:
                raise AnswerInvalid(
                    f"{question.description}: at most {limit} characters.", field=question.code
                )
            return value
        case QuestionDatatype.NUMBER:
            try:
                number = float(str(raw).strip())
            except ValueError:
                raise AnswerInvalid(
                    f"{question.description}: give a number.", field=question.code
                ) from None
            return int(number) if number.is_integer() else number
        case QuestionDatatype.DATETIME:
            text = str(raw).strip()
            moment = parse_datetime(text) or parse_date(text)
            if moment is None:
                raise AnswerInvalid(
                    f"{question.description}: give a date and time such as 2026-11-21T18:30.",
                    field=question.code,
                )
            return moment.isoformat()
        case QuestionDatatype.SINGLEVALUELIST:
            if str(raw) not in keys:
                raise AnswerInvalid(
                    f"{question.description}: choose one of {', '.join(sorted(keys))}.",
                    field=question.code,
                )
            return str(raw)
        case QuestionDatatype.MULTIVALUELIST:
            chosen = [str(v) for v in (raw if isinstance(raw, list) else [raw]) if str(v)]
            unknown = [v for v in chosen if v not in keys]
            if unknown:
                raise AnswerInvalid(
                    f"{question.description}: unknown choice {', '.join(unknown)}.",
                    field=question.code,
                )
            return chosen
    raise AnswerInvalid(f"Question {question.code} has an unknown datatype.")


def answers_clean(
    *, call_type: CallType, raw: dict[str, Any], enforce_required: bool = True
) -> dict[str, Any]:
    """Validated answers by question code; unknown codes are refused, blanks left out.

    Residents must answer required questions; the desk may not know and records what it can.
    """
    questions = {q.code: q for q in call_type.questions.all() if q.variable}
    unknown = sorted(set(raw) - set(questions))
    if unknown:
        raise AnswerInvalid(
            f"{call_type.name} has no question {', '.join(unknown)}.", field=unknown[0]
        )
    cleaned: dict[str, Any] = {}
    for code, question in questions.items():
        value = raw.get(code)
        empty = value in (None, "", []) or (isinstance(value, list) and not any(value))
        if empty:
            if question.required and enforce_required:
                raise AnswerInvalid(
                    f"{question.description}: this question needs an answer.", field=code
                )
            continue
        cleaned[code] = _one(question, value)
    return cleaned
