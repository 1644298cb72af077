"""A lesson plan as a Jupyter notebook (nbformat 4): Markdown cells only, nothing to execute.

Each cell carries `slideshow.slide_type`, so the same notebook is the handbook page and the
slide deck: facilitator-only cells are `notes` (hidden on the slides), a question's answer is a
`fragment` (shown on the next press). Cell ids are fixed names, so the same lesson always gives
byte-identical notebooks and the content-hash cache can trust them.
"""

from __future__ import annotations

import json
import string
from typing import Any

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell, new_notebook

from kynangso.site.render import OPENING_VERDICT
from kynangso.site.render import markdown_text as md
from kynangso.teams.plan import LessonPlan, PlanQuestion, PlanStep

MEDIA_FOLDER = "media"
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def lesson_notebook(plan: LessonPlan) -> NotebookNode:
    """The facilitator's edition of one lesson in one language."""
    t = plan.t
    cells = [
        _cell("title", "slide", _title(plan)),
        _cell("timing", "notes", _timing(plan)),
        *([_cell("prepare", "notes", _prepare(plan))] if _has_preparation(plan) else []),
        _cell(
            "objectives",
            "slide",
            f"## {md(t['objectives'])}\n\n{md(t['objectives.intro'])}\n\n"
            + _bullets(plan.objectives),
        ),
    ]
    for step in plan.steps:
        cells.append(_cell(f"step-{step.number}", "slide", _step(plan, step)))
        cells.append(_cell(f"step-{step.number}-notes", "notes", _notes(plan, step)))
    cells.append(
        _cell(
            "checklist",
            "slide",
            f"## {md(t['checklist'])}\n\n{md(t['checklist.intro'])}\n\n"
            + "\n".join(f"- ☐ {md(item)}" for item in plan.checklist)
            + "\n",
        )
    )
    if plan.discussion:
        cells.append(
            _cell(
                "discussion",
                "slide",
                f"## {md(t['discussion'])}\n\n"
                + "\n".join(
                    f"{n}. {md(_one_line(q))}" for n, q in enumerate(plan.discussion, start=1)
                )
                + "\n",
            )
        )
    cells.append(
        _cell(
            "quiz",
            "slide",
            f"## {md(t['quiz'])}\n\n"
            + md(t["quiz.intro"].format(count=len(plan.questions), pass_mark=plan.pass_mark))
            + "\n",
        )
    )
    for question in plan.questions:
        cells.append(_cell(f"question-{question.number}", "slide", _question(plan, question)))
        cells.append(
            _cell(f"question-{question.number}-answer", "fragment", _answer(plan, question))
        )
    cells.append(_cell("safety", "slide", f"## {md(t['safety'])}\n\n" + _bullets(plan.safety)))
    cells.append(_cell("sources", "notes", _sources(plan)))
    notebook: NotebookNode = new_notebook(  # type: ignore[no-untyped-call]
        cells=cells,
        metadata={
            "kernelspec": KERNELSPEC,
            "language_info": {"name": "python"},
            "title": plan.title,
            "kynangso": {
                "lesson": plan.lesson_id,
                "lang": plan.lang,
                "edition": "facilitator",
                # the slides put its QR code on the quiz slide
                **({"page": plan.page} if plan.page else {}),
            },
        },
    )
    return notebook


def notebook_text(notebook: NotebookNode) -> str:
    """The .ipynb file: validated, stable key order, UTF-8 kept readable."""
    nbformat.validate(notebook)
    return json.dumps(notebook, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _cell(cell_id: str, slide_type: str, source: str) -> NotebookNode:
    cell: NotebookNode = new_markdown_cell(  # type: ignore[no-untyped-call]
        source=source.rstrip("\n"), id=cell_id, metadata={"slideshow": {"slide_type": slide_type}}
    )
    return cell


def _title(plan: LessonPlan) -> str:
    t = plan.t
    return (
        f"# {md(plan.title)}\n\n{md(plan.summary)}\n\n"
        f"- **{md(t['topic'])}:** {md(plan.topic_title)}\n"
        f"- **{md(t['level'])}:** {md(plan.level)}\n"
        f"- **{md(t['learner_time'])}:** {plan.minutes} {md(t['minutes'])}\n"
        f"- **{md(t['session_time'])}:** {plan.session_minutes} {md(t['minutes'])}\n"
    )


def _timing(plan: LessonPlan) -> str:
    t = plan.t
    rows = "\n".join(f"| {_cell_text(part)} | {minutes} |" for part, minutes in plan.timing)
    # the title slide is shown to residents; that this is the edition with answers is the
    # facilitator's business, so it is said here, in the notes
    return (
        f"*{md(t['edition'])}*\n\n"
        f"## {md(t['timing'])}\n\n| {md(t['part'])} | {md(t['minutes.column'])} |\n| --- | ---: |\n{rows}\n"
        f"| **{md(t['total'])}** | **{plan.session_minutes}** |\n"
    )


def _has_preparation(plan: LessonPlan) -> bool:
    return bool(plan.prepare or plan.bring or plan.problems)


def _prepare(plan: LessonPlan) -> str:
    """What the facilitator readies, what residents bring and the common problems: read
    before the class, never shown on a slide."""
    t = plan.t
    parts = []
    if plan.prepare:
        parts.append(f"## {md(t['prepare'])}\n\n" + _bullets(plan.prepare))
    if plan.bring:
        parts.append(
            f"## {md(t['bring'])}\n\n"
            + "\n".join(f"- ☐ {md(_one_line(item))}" for item in plan.bring)
            + "\n"
        )
    if plan.problems:
        parts.append(
            f"## {md(t['problems'])}\n\n"
            + "\n".join(
                f"- **{md(_one_line(p.problem))}** {md(t['fix'])}: {md(_one_line(p.fix))}"
                for p in plan.problems
            )
            + "\n"
        )
    return "\n".join(parts)


def _step(plan: LessonPlan, step: PlanStep) -> str:
    t = plan.t
    parts = [f"## {md(t['step'])} {step.number}. {md(step.title)}"]
    # the picture first: on a slide it stands beside the text that follows it
    if step.image:
        parts.append(f"![{_link_text(step.alt or '')}]({MEDIA_FOLDER}/{step.image})")
    parts.append(md(step.body).strip())
    if step.tip:
        parts.append(f"> **{md(t['tip'])}:** {md(_one_line(step.tip))}")
    if step.warning:
        parts.append(f"> **⚠ {md(t['warning'])}:** {md(_one_line(step.warning))}")
    return "\n\n".join(parts) + "\n"


def _notes(plan: LessonPlan, step: PlanStep) -> str:
    t = plan.t
    heading = f"**{md(t['notes'])}** ({step.minutes} {md(t['minutes'])})\n"
    return heading + ("\n" + _bullets(step.notes) if step.notes else "")


def letters(count: int) -> list[str]:
    return list(string.ascii_uppercase[:count])


def _question(plan: LessonPlan, question: PlanQuestion) -> str:
    t = plan.t
    marks = letters(len(question.choices))
    choices = "\n".join(
        f"- **{mark}.** {md(_one_line(c.text))}" for mark, c in zip(marks, question.choices)
    )
    return (
        f"### {md(t['question'])} {question.number}. {md(_one_line(question.prompt))}\n\n"
        f"*{md(t['kind.' + question.kind])}*\n\n{choices}\n"
    )


def _answer(plan: LessonPlan, question: PlanQuestion) -> str:
    t = plan.t
    marks = letters(len(question.choices))
    right = ", ".join(mark for mark, c in zip(marks, question.choices) if c.correct)
    lines = "\n".join(
        _verdict(mark, t["right"] if c.correct else t["wrong"], c.explanation)
        for mark, c in zip(marks, question.choices)
    )
    return f"**{md(t['answer'])}: {right}**\n\n{lines}\n"


def _verdict(mark: str, label: str, explanation: str) -> str:
    # An explanation that opens with its own verdict ("Đúng. …", "Wrong. …") would print it
    # twice after the label ("Đúng: Đúng. …"); the label says it once, and
    # stands alone when the explanation is nothing but a verdict.
    rest = OPENING_VERDICT.sub("", _one_line(explanation), count=1)
    if not rest:
        return f"- **{mark}. {md(label)}.**"
    return f"- **{mark}. {md(label)}:** {md(rest)}"


def _sources(plan: LessonPlan) -> str:
    t = plan.t
    items = "\n".join(
        f"{n}. [{_link_text(s.title)}]({s.url}) — {md(t['seen'])} {s.seen.isoformat()}"
        for n, s in enumerate(plan.sources, start=1)
    )
    return f"## {md(t['sources'])}\n\n{items}\n\n*{md(plan.reviewed)}*\n"


def _bullets(items: tuple[str, ...]) -> str:
    return "\n".join(f"- {md(_one_line(item))}" for item in items) + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _link_text(text: str) -> str:
    return md(_one_line(text)).replace("[", "\\[").replace("]", "\\]")


def _cell_text(text: str) -> str:
    return md(_one_line(text)).replace("|", "\\|")


def notebook_media(notebook: NotebookNode) -> list[str]:
    """The media files a notebook's cells show, in order of first use."""
    found: dict[str, None] = {}
    prefix = f"]({MEDIA_FOLDER}/"
    for cell in notebook.cells:
        source: Any = cell.source
        for part in str(source).split(prefix)[1:]:
            found.setdefault(part.split(")", 1)[0], None)
    return list(found)
