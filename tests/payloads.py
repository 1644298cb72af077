"""Author texts that try to become code, and a way to put them into a loaded project.

`validate` refuses every one of them; tests of the renderers put them in after validation
(a copy of the models with the text replaced), to show each renderer makes them harmless alone.
"""

from __future__ import annotations

from kynangso.sources.schema import Text
from kynangso.sources.validate import Project

SCRIPT_TITLE = "<script>alert(1)</script>"
# attr_list on a link and on a paragraph, a reference-style and an autolink javascript: address
STEP_BODY = (
    '[x](https://a.vn){: href="javascript:alert(1)"}\n\n'
    'Para\n{: onmouseover="alert(2)"}\n\n'
    "[y][r]\n\n[r]: javascript:alert(3)\n\n"
    "<javascript:alert(4)>\n\n"
    "[z](javascript:alert(5)) ![i](javascript:alert(6))"
)


def with_texts(
    loaded: Project,
    *,
    title: str = "",
    body: str = "",
    tip: str = "",
    choice: str = "",
    explanation: str = "",
) -> Project:
    """`loaded` with the sample lesson's English title, first step body, second step tip, and
    its quiz's first choice and explanation replaced where a value is given."""
    lesson = loaded.lessons["sample-lesson"]
    quiz = loaded.quizzes["sample-lesson"]
    first, second = lesson.steps[0], lesson.steps[1]
    steps = [
        first.model_copy(update={"body": _en(first.body, body)}),
        second.model_copy(update={"tip": _en(second.tip, tip) if second.tip else None}),
        *lesson.steps[2:],
    ]
    loaded.lessons["sample-lesson"] = lesson.model_copy(
        update={"title": _en(lesson.title, title), "steps": steps}
    )
    question = quiz.questions[0]
    choice_0 = question.choices[0]
    choice_0 = choice_0.model_copy(
        update={
            "text": _en(choice_0.text, choice),
            "explanation": _en(choice_0.explanation, explanation),
        }
    )
    question = question.model_copy(update={"choices": [choice_0, *question.choices[1:]]})
    loaded.quizzes["sample-lesson"] = quiz.model_copy(
        update={"questions": [question, *quiz.questions[1:]]}
    )
    return loaded


def _en(text: Text, value: str) -> Text:
    return text.model_copy(update={"en": value}) if value else text
