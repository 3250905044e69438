"""No message, page or report text in the code says "file(s)": a count names its noun through
carestat.analytics.words. This reads every string in the code and every template's words, so
a CLI warning or an API error nobody renders in a page test is caught too."""

import io
import re
import tokenize
from pathlib import Path

import carestat

ROOT = Path(carestat.__file__).parent
MAYBE_PLURAL = re.compile(r"[a-z]\((s|es)\)(?![\w(])")
TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.S)
QUOTED = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'")


def _sources(pattern):
    return [p for p in ROOT.rglob(pattern) if p != ROOT / "analytics" / "words.py"  # it quotes the rule
            and not {"tests", "migrations", "reference", "static"} & set(p.relative_to(ROOT).parts)]


def _python_strings(path: Path):
    for token in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
        if token.type == tokenize.STRING:
            yield token.start[0], token.string


def _template_words(path: Path):
    text = path.read_text(encoding="utf-8")
    for match in TAG.finditer(text):  # string literals inside tags: ("... file(s)") in an expression
        for quoted in QUOTED.findall(match.group(0)):
            yield text.count("\n", 0, match.start()) + 1, quoted
    yield 0, TAG.sub(" ", text)  # the words outside tags


def test_no_string_in_the_code_or_templates_writes_a_plural_as_s_in_brackets():
    found = [f"{p.relative_to(ROOT)}:{line}: {s.strip()[:80]}" for p in _sources("*.py")
             for line, s in _python_strings(p) if MAYBE_PLURAL.search(s)]
    found += [f"{p.relative_to(ROOT)}:{line}: {s.strip()[:80]}" for p in _sources("*.html")
              for line, s in _template_words(p) if MAYBE_PLURAL.search(s)]
    assert not found, "\n".join(found)


def test_the_check_sees_a_bracketed_plural_in_a_string_and_not_a_call():
    assert MAYBE_PLURAL.search('f"{n} file(s) loaded"')
    assert not MAYBE_PLURAL.search("status_tag(s)(x)")
