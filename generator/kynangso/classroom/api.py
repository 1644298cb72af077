"""The completions API's bodies, as typed models: FastAPI validates requests with them and
writes the OpenAPI schema from them. `catalog_problem` is the check no model can make alone:
whether a completion can be true for the site as built.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from kynangso.catalog import Catalog

ID = r"^[A-Za-z0-9_-]{1,64}$"
# Nine or more digits in a row, allowing a space, dot or dash (or two) between them: how ID
# numbers (12 digits) and phone numbers (10, or 9 after +84) are written. A class never needs
# one, and a resident who types one into the name field should be told so, not stored.
NUMBER_IN_NAME = re.compile(r"\d(?:[\s.\-\u2010-\u2015]{0,2}\d){8,}")
NAME_LIKE_NUMBER = "name_like_number"  # the 422's `type`, which the join page turns into words


def _no_lone_surrogates(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("text must be valid Unicode") from exc
    return value


class LearnerIn(BaseModel):
    """A phone joining a class: just a display name, no account."""

    model_config = ConfigDict(extra="forbid")
    name: StrictStr = Field(
        description="Display name, 1–80 characters, without 9 or more digits in a row (an ID or"
        " phone number)"
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = _no_lone_surrogates(value).strip()
        if not 1 <= len(value) <= 80:
            raise ValueError("name must be 1 to 80 characters")
        if "\x00" in value:  # PostgreSQL cannot keep it in text: refused on both stores
            raise ValueError("name must not contain the control character U+0000")
        if NUMBER_IN_NAME.search(value):
            raise PydanticCustomError(
                NAME_LIKE_NUMBER,
                "name must not hold an ID or phone number (9 or more digits):"
                " a name or nickname is enough",
            )
        return value


class LearnerOut(BaseModel):
    learner_id: str = Field(description="Id the phone sends with each completion")
    class_name: str = Field(description="Name of the class joined")


class CompletionIn(BaseModel):
    """One quiz attempt finished on a phone, sent (maybe again) from its outbox."""

    model_config = ConfigDict(extra="forbid")
    id: Annotated[StrictStr, Field(pattern=ID, description="Attempt id made on the phone (a UUID)")]
    class_code: Annotated[StrictStr, Field(pattern=r"^[A-Z0-9]{6}$", description="Class code")]
    learner_id: Annotated[StrictStr, Field(pattern=ID, description="From joining the class")]
    lesson: Annotated[
        StrictStr,
        Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80, description="Lesson id"),
    ]
    lang: Literal["vi", "en"] = Field(description="Language the quiz was taken in")
    score: Annotated[StrictInt, Field(ge=0, le=1000, description="Questions answered right")]
    total: Annotated[StrictInt, Field(ge=1, le=1000, description="Questions in the quiz")]
    passed: StrictBool = Field(description="Whether the score reached the pass mark")
    answered_at: StrictStr = Field(
        description="When it was finished, ISO 8601", json_schema_extra={"format": "date-time"}
    )
    answers: list[StrictBool] | None = Field(
        default=None,
        max_length=1000,
        description="Optional: right (true) or wrong per question, in order",
    )

    @field_validator("answered_at")
    @classmethod
    def _when(cls, value: str) -> str:
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValueError("answered_at must be an ISO 8601 date and time") from exc
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        try:
            return moment.astimezone(dt.UTC).isoformat(timespec="seconds")
        except OverflowError:
            # A phone clock at the very edge of the calendar (year 1 or 9999) has no UTC time
            # in Python's range. The completion is still real: keep the phone's own time,
            # with its offset, as valid ISO 8601.
            return moment.isoformat(timespec="seconds")

    @model_validator(mode="after")
    def _consistent(self) -> CompletionIn:
        if self.score > self.total:
            raise ValueError("score cannot be more than total")
        if self.answers is not None and len(self.answers) != self.total:
            raise ValueError("answers must have one entry per question")
        return self


class Saved(BaseModel):
    id: str
    stored: Literal["new", "already stored"]


def catalog_problem(completion: CompletionIn, catalog: Catalog) -> str | None:
    """Why a completion cannot be true for the built site, or None. The phone computes score and
    pass itself, so anything can be posted: the lesson must exist, `total` must be its number of
    questions and `passed` must follow from `score` and its pass mark."""
    lesson = catalog.lessons.get(completion.lesson)
    if lesson is None:
        return f"unknown lesson '{completion.lesson}'"
    questions = len(lesson.questions)
    if completion.total != questions:
        return (
            f"total must be {questions}: the quiz of lesson '{completion.lesson}'"
            f" has {questions} questions, not {completion.total}"
        )
    if not 0 <= completion.score <= completion.total:
        return f"score must be between 0 and {completion.total}"
    should_pass = completion.score >= lesson.pass_mark
    if completion.passed != should_pass:
        return (
            f"passed must be {str(should_pass).lower()}: the pass mark of lesson"
            f" '{completion.lesson}' is {lesson.pass_mark} and the score is {completion.score}"
        )
    return None
