"""The shapes of the sources: lessons, quizzes, pages, topics and the glossary.

Every field carries a description in Vietnamese and English (they become the editors' JSON
Schema). Rules that span fields or files live in `rules.py`, not here.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from kynangso.sources.audio import LANGUAGE_CODE
from kynangso.sources.authortext import is_blank

# The topics are the entries of content/topics.yaml, and only there: validation checks each
# lesson's topic against that file, and the JSON Schema lists them from it.
LANGUAGES: tuple[str, ...] = ("vi", "en")
LANGUAGE_NAMES = {"vi": "Vietnamese", "en": "English"}
# Generated pages whose address is a word in each language (both addresses exist in both).
LOCALIZED_SLUGS: tuple[str, ...] = (
    "tien-do",
    "progress",
    "ho-chieu",
    "passport",
    "tham-gia-lop",
    "join-class",
)

Level = Literal["beginner", "intermediate", "advanced"]
QuestionKind = Literal["single", "multiple", "true_false"]

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


def _not_blank(value: str) -> str:
    # a text of zero-width spaces or a BOM shows nothing: it is as empty as ""
    if is_blank(value):
        kind = "empty_text" if not value.strip() else "invisible_text"
        raise PydanticCustomError(kind, "empty text")
    return value


NonEmpty = Annotated[str, AfterValidator(_not_blank)]


def _true_or_false(value: object) -> object:
    # YAML editors read only true and false as yes/no (YAML 1.2); "yes", "on" or "1" would be
    # accepted here but marked wrong there, so both refuse them.
    if isinstance(value, str) and value not in ("true", "false"):
        raise PydanticCustomError("bool_parsing", "expected true or false")
    return value


TrueOrFalse = Annotated[bool, BeforeValidator(_true_or_false)]


class Strict(BaseModel):
    """Unknown keys are errors: a typo in a field name must not vanish silently."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, frozen=True)


class Fallback(str):
    """The Vietnamese text given where a text has none in the language asked for: the pages
    mark it (`lang="vi"` and a word saying so), as the words catalogues mark theirs."""

    __slots__ = ()


class Text(Strict):
    """Một nội dung viết cả hai thứ tiếng, đặt cạnh nhau · One text in both languages, side by side,
    so a missing translation is visible. Another site language may stand beside them (`blt: …`)."""

    model_config = ConfigDict(
        extra="allow",
        str_strip_whitespace=False,
        frozen=True,
        json_schema_extra={
            "patternProperties": {LANGUAGE_CODE: {"type": "string", "minLength": 1}},
            "additionalProperties": False,
        },
    )
    # a key beside vi and en is a text in another site language: validate checks it is one
    # of mkdocs.yml's languages (sources/languages.py), so a typo (`vn:`) is still named
    __pydantic_extra__: dict[str, NonEmpty] = Field(init=False)

    vi: NonEmpty = Field(description="Tiếng Việt · Vietnamese text")
    en: NonEmpty = Field(description="Tiếng Anh · English text")

    def get(self, lang: str) -> str:
        """The text in `lang`; Vietnamese, as a `Fallback`, where it has none in that language."""
        if lang == "vi":
            return self.vi
        if lang == "en":
            return self.en
        own = (self.__pydantic_extra__ or {}).get(lang)
        return own if own is not None else Fallback(self.vi)

    def extra_languages(self) -> list[str]:
        """The codes of the texts beside vi and en."""
        return list(self.__pydantic_extra__ or {})


class Step(Strict):
    """Một bước của bài học · One numbered step of a lesson."""

    title: Text = Field(description="Tên bước, ngắn · Short title of the step")
    body: Text = Field(description="Nội dung bước (Markdown) · What to do, in Markdown")
    image: str | None = Field(
        default=None,
        description="Hình minh hoạ trong content/media/ (SVG sơ đồ, không chụp màn hình thật) · "
        "Illustration file in content/media/ (a schematic SVG, never a real screenshot)",
    )
    alt: Text | None = Field(
        default=None,
        description="Mô tả hình cho người không nhìn thấy · Alt text for the illustration",
    )
    audio: (
        Annotated[
            dict[Annotated[str, Field(pattern=LANGUAGE_CODE)], str],
            # editors' YAML extension: a key that is no language code is marked, as validate does
            Field(json_schema_extra={"additionalProperties": False}),
        ]
        | None
    ) = Field(
        default=None,
        description="Bản ghi âm đọc bước này, mỗi thứ tiếng một tệp trong content/media/audio/, "
        "theo mã ngôn ngữ: vi (tiếng Việt), blt (Thái Đen), hmn (Mông) · Recordings of this "
        "step read aloud, one file in content/media/audio/ per language code: vi (Vietnamese), "
        "blt (Black Tai), hmn (Hmong)",
    )
    tip: Text | None = Field(default=None, description="Mẹo (tuỳ chọn) · Optional tip")
    warning: Text | None = Field(default=None, description="Cảnh báo (tuỳ chọn) · Optional warning")
    note: Text | None = Field(
        default=None,
        description="Ghi chú cho người hướng dẫn: điều hay vướng ở bước này và cách gỡ (chỉ có "
        "trong giáo án) · Note for the facilitator: what goes wrong in this step and how to help "
        "(lesson plan only)",
    )
    minutes: int | None = Field(
        default=None,
        ge=1,
        le=60,
        description="Số phút cho bước này trong buổi học, tính cho người lớn tuổi tự làm trên máy "
        "của mình · Minutes for this step in class, for older residents doing it by hand",
    )


class Source(Strict):
    """Nguồn của thông tin trong bài · Where a fact in the lesson comes from."""

    url: Annotated[str, Field(pattern=r"^https?://\S+$")] = Field(
        description="Địa chỉ nguồn (http/https) · Address of the source (http/https)"
    )
    title: NonEmpty = Field(description="Tên bài/văn bản nguồn · Title of the source")
    seen: dt.date = Field(description="Ngày xem nguồn (YYYY-MM-DD) · Date the source was read")


class CommonProblem(Strict):
    """Điều hay vướng trên lớp và cách người hướng dẫn gỡ · Something that often goes wrong in
    class, and what the facilitator does about it."""

    problem: Text = Field(description="Điều hay vướng · What goes wrong")
    fix: Text = Field(description="Cách gỡ · What to do about it")


class Facilitator(Strict):
    """Những gì người hướng dẫn cần ngoài các bước, in trong giáo án · What the facilitator of a
    class needs beyond the steps: shown in the lesson plan."""

    prepare: list[Text] = Field(
        min_length=1,
        description="Người hướng dẫn chuẩn bị gì trước buổi học · What the facilitator readies",
    )
    bring: list[Text] = Field(
        min_length=1,
        description="Bà con mang theo gì (in trên tờ phát tay) · What residents bring (printed "
        "on the handout)",
    )
    problems: list[CommonProblem] = Field(
        min_length=1, description="Vướng mắc thường gặp và cách gỡ · Common problems and fixes"
    )
    discussion: list[Text] = Field(
        min_length=1,
        description="Câu hỏi thảo luận gắn với tình huống của bài · Discussion questions tied "
        "to the lesson's situations",
    )


class Review(Strict):
    """Lần kiểm tra bài gần nhất và phiên bản ứng dụng đã đối chiếu · When the lesson was last
    checked, and against which app version."""

    date: dt.date = Field(
        description="Ngày kiểm tra lại bài (YYYY-MM-DD) · Date of the last review"
    )
    app_version: str | None = Field(
        default=None,
        description="Phiên bản ứng dụng đã đối chiếu, ví dụ 'VNeID 2.1.x' · App version checked against",
    )


class Lesson(Strict):
    """Một bài học: `lessons/<id>.yaml` · A lesson: `lessons/<id>.yaml`."""

    id: Annotated[str, Field(pattern=ID_PATTERN)] = Field(
        description="Mã bài, trùng tên tệp (chữ thường, số, gạch nối) · Lesson id, same as the file name"
    )
    topic: Annotated[str, Field(pattern=ID_PATTERN)] = Field(
        description="Chủ đề: một mục của content/topics.yaml · Topic: an entry of content/topics.yaml"
    )
    level: Level = Field(description="Mức độ: beginner, intermediate, advanced · Level")
    order: int = Field(
        default=100, ge=0, le=999, description="Thứ tự trong chủ đề · Position within the topic"
    )
    minutes: int = Field(ge=1, le=180, description="Thời gian học (phút) · Minutes to learn")
    title: Text = Field(description="Tên bài · Lesson title")
    summary: Text = Field(description="Tóm tắt 1–2 câu · One- or two-sentence summary")
    objectives: list[Text] = Field(
        min_length=1, description="Học xong, người học làm được gì · What the learner can do after"
    )
    steps: list[Step] = Field(min_length=1, description="Các bước · The numbered steps")
    sources: list[Source] = Field(
        min_length=1, description="Nguồn cho các thông tin trong bài · Sources for the facts"
    )
    reviewed: Review = Field(description="Lần kiểm tra gần nhất · Last review")
    formerly: list[Annotated[str, Field(pattern=ID_PATTERN)]] = Field(
        default_factory=list,
        description="Mã cũ của bài (tuỳ chọn): địa chỉ cũ /lessons/<mã cũ>/ vẫn mở và chuyển tới bài "
        "này · Earlier ids of this lesson (optional): the old address /lessons/<old id>/ still "
        "opens and sends the reader here",
    )
    facilitator: Facilitator | None = Field(
        default=None,
        description="Cho người hướng dẫn: chuẩn bị, mang theo, vướng mắc, thảo luận "
        "(`validate --strict` bắt buộc) · For the facilitator: prepare, bring, problems, "
        "discussion (required by `validate --strict`)",
    )


class Choice(Strict):
    """Một lựa chọn người học có thể chọn · One answer a learner can pick."""

    text: Text = Field(description="Nội dung lựa chọn · The choice")
    correct: TrueOrFalse = Field(
        description="Đúng (true) hay sai (false) · Whether this choice is right"
    )
    explanation: Text = Field(description="Giải thích vì sao đúng/sai · Why it is right or wrong")


class Question(Strict):
    """Một câu hỏi · One quiz question."""

    kind: QuestionKind = Field(
        description="Loại câu: single (một đáp án), multiple (nhiều đáp án), true_false (đúng/sai) · Kind"
    )
    prompt: Text = Field(description="Câu hỏi · The question")
    choices: list[Choice] = Field(min_length=2, description="Các lựa chọn · The choices")


class Quiz(Strict):
    """Câu đố của bài cùng mã: `quizzes/<id>.yaml` · The quiz of the lesson with the same id:
    `quizzes/<id>.yaml`."""

    id: Annotated[str, Field(pattern=ID_PATTERN)] = Field(
        description="Mã bài của câu đố · Id of the lesson this quiz belongs to"
    )
    pass_mark: int = Field(
        ge=1, description="Số câu đúng tối thiểu để đạt · Correct answers needed to pass"
    )
    questions: list[Question] = Field(min_length=1, description="Các câu hỏi · The questions")


class Page(Strict):
    """Một trang viết tay: `content/pages/<name>.yaml` · A hand-written page:
    `content/pages/<name>.yaml`."""

    title: Text = Field(description="Tiêu đề trang · Page title")
    body: Text = Field(description="Nội dung (Markdown) · Page text in Markdown")


class TopicInfo(Strict):
    """Tên và lời giới thiệu một chủ đề · How a topic is named and introduced: an entry of
    `content/topics.yaml`."""

    title: Text = Field(description="Tên chủ đề · Topic name")
    summary: Text = Field(description="Giới thiệu ngắn · Short introduction")
    icon: str | None = Field(
        default=None, description="Biểu tượng trong content/media/ · Icon file in content/media/"
    )
    app: TrueOrFalse = Field(
        default=False,
        description="Bài của chủ đề này hướng dẫn dùng một ứng dụng, nên ghi phiên bản ứng dụng "
        "(reviewed.app_version) · Lessons of this topic walk through an app, so they name the app "
        "version they were checked against",
    )


class Topics(Strict):
    """`content/topics.yaml`: mỗi chủ đề một mục · one entry per topic."""

    topics: dict[Annotated[str, Field(pattern=ID_PATTERN)], TopicInfo] = Field(
        min_length=1,
        description="Các chủ đề, theo thứ tự hiện trên trang; mã chủ đề là tên mục · The topics, "
        "in the order the site shows them; each entry's name is the topic id",
    )


class Term(Strict):
    """Một thuật ngữ · One glossary entry."""

    term: Text = Field(description="Thuật ngữ · The term")
    definition: Text = Field(description="Giải thích dễ hiểu · Plain-words meaning")


class Glossary(Strict):
    """Từ điển thuật ngữ · The glossary: `content/glossary.yaml`."""

    title: Text = Field(description="Tiêu đề trang · Page title")
    intro: Text | None = Field(default=None, description="Lời dẫn · Introduction")
    terms: list[Term] = Field(min_length=1, description="Các thuật ngữ · The terms")
