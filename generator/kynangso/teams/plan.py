"""A lesson plan: what a facilitator needs to run one lesson in one language.

A pure function of the lesson, its quiz and its topic. Every material (notebook, handbook page,
slides, handout) is made from a `LessonPlan`, so they always say the same thing. What the
facilitator reads (what to prepare, what residents bring, common problems, discussion questions,
a note and realistic minutes per step) is written by people in the lesson's `facilitator:` and
steps' `note`/`minutes`; nothing is made up when a field is missing (`validate --strict` asks
for them). Only a step without `minutes` gets a share of the lesson's self-study minutes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin

from kynangso.site.strings import LOCALIZED_PAGES, format_date
from kynangso.sources.authortext import INLINE_LINK
from kynangso.sources.schema import Lesson, Quiz, Text, TopicInfo
from kynangso.teams.strings import SAFETY_RULES, TEAMS_UI

WELCOME_MINUTES = 5
DISCUSSION_MINUTES = 5
WRAPUP_MINUTES = 3


@dataclass(frozen=True)
class PlanStep:
    """One step of the lesson with the facilitator's notes and its share of the time."""

    number: int
    title: str
    body: str
    minutes: int
    notes: tuple[str, ...]
    image: str | None = None
    alt: str | None = None
    tip: str | None = None
    warning: str | None = None


@dataclass(frozen=True)
class PlanProblem:
    """Something that often goes wrong in class, and what to do about it."""

    problem: str
    fix: str


@dataclass(frozen=True)
class PlanChoice:
    text: str
    correct: bool
    explanation: str


@dataclass(frozen=True)
class PlanQuestion:
    number: int
    kind: str
    prompt: str
    choices: tuple[PlanChoice, ...]


@dataclass(frozen=True)
class PlanSource:
    title: str
    url: str
    seen: dt.date


@dataclass(frozen=True)
class LessonPlan:
    """Everything one lesson's materials show, in one language."""

    lesson_id: str
    lang: str
    topic: str
    topic_title: str
    title: str
    summary: str
    level: str
    minutes: int
    objectives: tuple[str, ...]
    timing: tuple[tuple[str, int], ...]
    steps: tuple[PlanStep, ...]
    discussion: tuple[str, ...]
    checklist: tuple[str, ...]
    pass_mark: int
    questions: tuple[PlanQuestion, ...]
    safety: tuple[str, ...]
    sources: tuple[PlanSource, ...]
    reviewed: str
    prepare: tuple[str, ...] = ()
    bring: tuple[str, ...] = ()
    problems: tuple[PlanProblem, ...] = ()
    # the lesson's page on the residents' site, when the site's address is known
    page: str | None = None

    @property
    def t(self) -> dict[str, str]:
        return TEAMS_UI[self.lang]

    @property
    def session_minutes(self) -> int:
        return sum(minutes for _, minutes in self.timing)

    def page_url(self, site_url: str) -> str:
        """The lesson's page on the residents' site."""
        return f"{site_url}{language_prefix(self.lang)}lessons/{self.lesson_id}/"


def language_prefix(lang: str) -> str:
    """Vietnamese lives at the site root, English under /en/."""
    return "" if lang == "vi" else f"{lang}/"


def join_url(site_url: str, lang: str) -> str:
    return f"{site_url}{language_prefix(lang)}{LOCALIZED_PAGES['join'][lang]}/"


def topic_url(site_url: str, lang: str, topic: str) -> str:
    return f"{site_url}{language_prefix(lang)}topics/{topic}/"


def step_minutes(total: int, count: int) -> list[int]:
    """`total` minutes shared over `count` steps, at least one each, earlier steps first."""
    base, extra = divmod(max(total, count), count)
    return [base + (1 if i < extra else 0) for i in range(count)]


def _plain(text: str) -> str:
    """One line, no closing full stop: for quoting a sentence inside another."""
    return " ".join(text.split()).rstrip(".。")


SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


SITE_LINK = re.compile(r"\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def absolute_links(markdown: str, page_url: str | None) -> str:
    """Links to pages of the site, written relative to the lesson's page (`../../glossary/`,
    `#step-2`), made absolute: the materials live elsewhere and are printed or copied. Without
    the site's address they cannot lead anywhere from a handout or the handbook, so they become
    their plain text (links to other sites stay)."""
    if page_url is None:

        def text_only(match: re.Match[str]) -> str:
            return match.group(0) if SCHEME.match(match.group(2)) else match.group(1)

        return SITE_LINK.sub(text_only, markdown)

    def absolute(match: re.Match[str]) -> str:
        # the pattern ends with the target: keep what opens the link, rewrite the rest
        target = match.group(1)
        opening = match.group(0)[: match.start(1) - match.start(0)]
        return opening + (target if SCHEME.match(target) else urljoin(page_url, target))

    return INLINE_LINK.sub(absolute, markdown)


def lesson_plan(
    lesson: Lesson, quiz: Quiz, topic: TopicInfo, lang: str, site_url: str | None = None
) -> LessonPlan:
    """The plan of `lesson` in `lang`; with `site_url`, links to the site's own pages in the
    author's text become absolute addresses on it."""
    t = TEAMS_UI[lang]
    page = f"{site_url}{language_prefix(lang)}lessons/{lesson.id}/" if site_url else None
    steps = _plan_steps(lesson, lang, page)
    warnings = _unique(step.warning for step in steps if step.warning)
    questions = _plan_questions(quiz, lang)
    facilitator = lesson.facilitator

    def texts(values: list[Text] | None) -> tuple[str, ...]:
        return tuple(_text(value, lang, page) or "" for value in values or ())

    checklist = (
        *(_plain(step.title) for step in steps),
        t["checklist.quiz"].format(pass_mark=quiz.pass_mark, count=len(questions)),
    )
    return LessonPlan(
        lesson_id=lesson.id,
        lang=lang,
        topic=lesson.topic,
        topic_title=topic.title.get(lang),
        title=lesson.title.get(lang),
        summary=lesson.summary.get(lang),
        level=t[f"level.{lesson.level}"],
        minutes=lesson.minutes,
        objectives=tuple(objective.get(lang) for objective in lesson.objectives),
        timing=_timing(t, steps, questions),
        steps=steps,
        discussion=texts(facilitator.discussion if facilitator else None),
        checklist=checklist,
        pass_mark=quiz.pass_mark,
        questions=questions,
        safety=(*warnings, *SAFETY_RULES[lang]),
        sources=tuple(PlanSource(s.title, s.url, s.seen) for s in lesson.sources),
        reviewed=t["reviewed"].format(date=format_date(lesson.reviewed.date, lang)),
        prepare=texts(facilitator.prepare if facilitator else None),
        bring=texts(facilitator.bring if facilitator else None),
        problems=tuple(
            PlanProblem(_text(p.problem, lang, page) or "", _text(p.fix, lang, page) or "")
            for p in (facilitator.problems if facilitator else ())
        ),
        page=page,
    )


def _text(value: Text | None, lang: str, page: str | None) -> str | None:
    """An author's text in `lang`, its links to the site's pages made absolute on `page`."""
    return absolute_links(value.get(lang), page) if value is not None else None


def _plan_steps(lesson: Lesson, lang: str, page: str | None) -> tuple[PlanStep, ...]:
    """The lesson's steps; one without `minutes` gets its share of the lesson's minutes."""
    shares = step_minutes(lesson.minutes, len(lesson.steps))
    return tuple(
        PlanStep(
            number=number,
            title=step.title.get(lang),
            body=absolute_links(step.body.get(lang), page),
            minutes=step.minutes or shares[number - 1],
            notes=(_text(step.note, lang, page) or "",) if step.note else (),
            image=step.image,
            alt=step.alt.get(lang) if step.alt else None,
            tip=_text(step.tip, lang, page),
            warning=_text(step.warning, lang, page),
        )
        for number, step in enumerate(lesson.steps, start=1)
    )


def _plan_questions(quiz: Quiz, lang: str) -> tuple[PlanQuestion, ...]:
    return tuple(
        PlanQuestion(
            number=number,
            kind=question.kind,
            prompt=question.prompt.get(lang),
            choices=tuple(
                PlanChoice(choice.text.get(lang), choice.correct, choice.explanation.get(lang))
                for choice in question.choices
            ),
        )
        for number, question in enumerate(quiz.questions, start=1)
    )


def _timing(
    t: dict[str, str], steps: tuple[PlanStep, ...], questions: tuple[PlanQuestion, ...]
) -> tuple[tuple[str, int], ...]:
    """The session's parts and their minutes: welcome, each step, discussion, quiz, wrap-up."""
    return (
        (t["part.welcome"], WELCOME_MINUTES),
        *(
            (t["part.step"].format(number=s.number, title=_plain(s.title)), s.minutes)
            for s in steps
        ),
        (t["part.discussion"], DISCUSSION_MINUTES),
        (t["part.quiz"], max(3, len(questions))),
        (t["part.wrapup"], WRAPUP_MINUTES),
    )


def _unique(texts: Iterable[str]) -> tuple[str, ...]:
    """The texts in order, each once."""
    return tuple(dict.fromkeys(texts))
