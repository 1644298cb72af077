"""Shrinking our own scripts, styles and pages: the code that runs stays the code we wrote."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from kynangso.site.post.minify import minify_css, minify_js, squeeze_html

NEEDS_NODE = pytest.mark.skipif(shutil.which("node") is None, reason="node checks the syntax")


def _node_check(script: str, folder: Path) -> str:
    """node's complaint about the script's syntax, or "" when it parses."""
    copy = folder / "script.js"
    copy.write_text(script, encoding="utf-8")
    result = subprocess.run(
        ["node", "--check", str(copy)], capture_output=True, text=True, check=False
    )
    return "" if result.returncode == 0 else result.stderr


def test_a_regular_expression_after_a_parenthesis_stays_whole() -> None:
    out = minify_js("if (ok) /\\/\\//.test(s)\n")
    assert out == "if(ok)/\\/\\//.test(s)\n"


@NEEDS_NODE
def test_a_regular_expression_after_a_parenthesis_still_parses(tmp_path: Path) -> None:
    assert _node_check(minify_js("if (ok) /\\/\\//.test(s)\n"), tmp_path) == ""


def test_minify_js_keeps_strings_templates_and_regular_expressions() -> None:
    source = """
    // a comment
    var a = "// not a comment", b = '/* nor this */';   /* gone */
    var c = `line one
        ${ "kept" + `nested ${1}` }   stays`;
    var d = /\\/\\/[/]x/g.test(a) ? a / 2 : 1; /*! notice */
    return
        d
    """
    out = minify_js(source)
    assert "// a comment" not in out and "gone" not in out and "/*! notice */" in out
    assert '"// not a comment"' in out and "'/* nor this */'" in out
    assert '`line one\n        ${ "kept" + `nested ${1}` }   stays`' in out
    assert "/\\/\\/[/]x/g.test(a)?a/2:1" in out
    assert "return\nd" in out  # the line break that automatic semicolon insertion reads


@NEEDS_NODE
def test_our_minified_scripts_parse(real_site: Path, tmp_path: Path) -> None:
    scripts = [
        *real_site.glob("assets/*.js"),
        *real_site.glob("assets/javascripts/workers/kns-*.js"),
        real_site / "sw.js",
    ]
    for script in scripts:
        assert _node_check(script.read_text(encoding="utf-8"), tmp_path) == "", script.name


def test_minify_css() -> None:
    css = '/* c */\n.a ,\n .b > .c {\n  content: "a  ;  b" ;\n  margin : 0 auto\n}\n'
    assert minify_css(css) == '.a,.b>.c{content:"a  ;  b";margin:0 auto}\n'


def test_squeeze_html_keeps_no_break_spaces() -> None:
    assert squeeze_html("<p>a\n\u00a0 b \n\n c\u00a0\n</p>") == "<p>a\n\u00a0 b\nc\u00a0\n</p>"


def test_squeeze_html_keeps_what_white_space_means() -> None:
    html = '<p>\n    one\n    two</p>\n\n  <pre>\n  kept\n</pre> <code>a\n   b</code>\n <script>\n  x\n</script><a title="a\n   b">'
    assert (
        squeeze_html(html)
        == '<p>\none\ntwo</p>\n<pre>\n  kept\n</pre> <code>a\n   b</code>\n<script>\n  x\n</script><a title="a\n   b">'
    )
