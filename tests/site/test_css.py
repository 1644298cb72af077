"""Reading and writing stylesheets for the theme purge: the structure a browser sees, and
Material's own stylesheets written back byte for byte."""

from __future__ import annotations

from pathlib import Path

import material

from kynangso.site.post.css import Declaration, Rule, parse, serialize, strip_comments

MATERIAL_CSS = Path(material.__file__).parent / "templates" / "assets" / "stylesheets"
NESTED = ".a{--unused:1;color:red;.b{color:blue;--gone:2}} .b{color:green}"


def test_nested_rules_are_rules_inside_their_parent() -> None:
    assert parse(NESTED) == [
        Rule(
            ".a",
            items=[
                Declaration("--unused", "1"),
                Declaration("color", "red"),
                Rule(".b", items=[Declaration("color", "blue"), Declaration("--gone", "2")]),
            ],
        ),
        Rule(".b", items=[Declaration("color", "green")]),
    ]
    assert serialize(parse(NESTED)) == NESTED.replace(" ", "")


def test_groups_statements_and_other_at_rules() -> None:
    css = '@charset "UTF-8";@media screen{.a{top:0}}@keyframes spin{to{rotate:1turn}}.b{x:1}'
    charset, media, keyframes, rule = parse(css)
    assert charset.statement and charset.prelude == '@charset "UTF-8"'
    assert media.at == "media" and media.rules == [Rule(".a", items=[Declaration("top", "0")])]
    assert keyframes.body == "to{rotate:1turn}" and keyframes.items is None
    assert rule.declarations == [Declaration("x", "1")]
    assert serialize([charset, media, keyframes, rule]) == css


def test_a_group_inside_a_style_rule_holds_declarations() -> None:
    (rule,) = parse(".a{color:red;@media print{color:black}}")
    (group,) = rule.rules
    assert group.declarations == [Declaration("color", "black")]


def test_white_space_and_important_are_written_tight() -> None:
    css = ".a , .b {\n  margin : 0 auto ! important ;\n  content: 'x  y' }"
    assert serialize(parse(css)) == '.a , .b{margin:0 auto!important;content:"x  y"}'


def test_strings_and_comments_do_not_confuse_the_reader() -> None:
    css = '/* a } comment */.a:after{content:"} {;"}.b{background:url("data:x;{}")}'
    assert (
        serialize(parse(strip_comments(css)))
        == '.a:after{content:"} {;"}.b{background:url("data:x;{}")}'
    )


def test_material_stylesheets_read_back_unchanged() -> None:
    for sheet in MATERIAL_CSS.glob("*.min.css"):
        text = strip_comments(sheet.read_text(encoding="utf-8"))
        assert serialize(parse(text)) == text, sheet.name
