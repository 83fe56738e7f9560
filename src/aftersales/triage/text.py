"""Keyword mentions in Chinese text, with negation and hypotheticals. Pure; no ORM.

"没有漏电也没冒烟，就是开不了机" mentions 漏电 and 冒烟, but reports neither; "会不会漏电？"
asks about one. A mention is *negated* when a negation or hypothetical cue stands
shortly before it in the same clause:

- clauses end at punctuation and at contrast words (但是, 可是, 而是, 结果, 也, 还 …), so
  "没有漏电但是冒烟了" negates 漏电 and not 冒烟;
- a one-character cue (不, 没, 无, 未) must stand at most one character before the keyword
  ("没冒烟", "没冒火花"); a longer one
  (没有, 不是, 会不会, 担心 …) may stand up to ``WIDE_WINDOW`` characters before it
  ("没有出现冒烟");
- words that merely contain a cue (不小心, 没过多久, 不停, 就会 …) are not cues;
- a modal right before the keyword (会起火, 可能漏电) makes it hypothetical only when
  its sentence doubts or worries (吗, ？, 听说, 真的假的, 担心 …): "听说放不好会起火" is a
  question, "插上电就会冒烟" a report;
- a worry, hearsay or condition (怕, 担心, 听说, 万一, 要是, 会不会, 以为 …) reaches to the end
  of its sentence, over commas and lists: in "我怕水进去短路或者漏电" and "会不会受潮漏电、短路？"
  nothing is reported. A report word after it (已经, 结果, 现在, 但是 …) ends its reach, and a
  keyword *before* it is untouched, so "已经冒烟了，我怕会起火" still reports 冒烟. Fear as a
  feeling rather than a worry about something ("好害怕，", "怕死了") reaches nothing.

Everything is matched on an NFKC-folded, lower-cased copy, so full-width and
half-width forms (１２３１５, ？) are the same.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

WIDE_WINDOW = 4
SHORT_REACH = 1  # 没冒烟, 没冒火花: a one-character cue reaches over one verb character
# How far back a mention looks for the start of its clause or sentence. Real sentences are shorter; the bound
# keeps a long text with thousands of mentions linear rather than quadratic.
LOOKBACK = 300
MODALS = ("可能会", "可能", "容易", "会")
DOUBT = re.compile(r"[?？吗么呢]|听说|据说|网上说|新闻|真的假的|是真的|担心|害怕|怕|万一|是否")
# A full stop ends a sentence unless it is a decimal point (0.12mg) or part of an ellipsis: "……" folds to
# "......", and "电池……鼓起来了" is one sentence.
_SENTENCE_END = re.compile(r"[!?。！？\n]|(?<![.\d])\.(?![.\d])")
# Words that report what happened: a worry or hearsay before one of them no longer reaches the keyword.
_REPORT_BREAK = re.compile(r"已经|结果|果然|但是|可是|不过|现在|刚才|刚刚|确实|竟然|居然|真的[^假]")
# A fear cue followed by one of these is a feeling ("好害怕，", "怕死了", "怕了"), not a worry about something.
_FEELING_AFTER = re.compile(r"[,.!?;:~。，！？；：、…]|了|死|极|得要命")
# Clause boundaries: punctuation (after NFKC folding), line breaks and contrast or sequence words.
_BOUNDARY = re.compile(r"[,.!?;:~\n\r\t。，！？；：、…]|但是|可是|不过|而是|结果|然后|后来|现在|已经|但|却|也|还")


def fold(text: str) -> str:
    """The form every match runs on: NFKC (full-width → half-width) and lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def split_terms(raw: str) -> list[str]:
    """Keywords as an administrator types them: one per line, or separated by 、，, or spaces.

    A term written ``re:…`` is a regular expression (``re:冒.{,4}烟`` catches 冒白烟 and
    冒了一股黑烟); it ends at the next blank or line break.
    """
    terms = []
    for token in re.split(r"\s+", fold(raw or "")):
        if token.startswith("re:"):
            terms.append(token)  # an expression may contain commas ({,4}); only blanks end it
        else:
            terms += [t for t in re.split(r"[,，、;；]+", token) if t]
    return terms


def _pattern(term: str) -> re.Pattern[str] | None:
    if not term.startswith("re:"):
        return None
    try:
        return re.compile(term[3:])
    except re.error:
        return None  # a broken expression matches nothing rather than failing the case


def bad_patterns(raw: str) -> list[str]:
    """The ``re:`` terms that are not valid regular expressions (for the admin's form)."""
    bad = []
    for term in split_terms(raw):
        if term.startswith("re:"):
            try:
                re.compile(term[3:])
            except re.error:
                bad.append(term)
    return bad


@dataclass(frozen=True)
class Mention:
    keyword: str
    start: int
    negated: bool
    cue: str = ""


@dataclass(frozen=True)
class NegationRules:
    cues: tuple[str, ...]
    not_cues: tuple[str, ...]
    scope_cues: tuple[str, ...] = ()

    @classmethod
    def parse(cls, cues: str, not_cues: str, scope_cues: str = "") -> NegationRules:
        # Longest first, so "没有" is tried before "没" and "会不会" before "不会".
        def longest_first(raw: str) -> tuple[str, ...]:
            return tuple(sorted(set(split_terms(raw)), key=len, reverse=True))

        return cls(longest_first(cues), longest_first(not_cues), longest_first(scope_cues))


def _clause_start(folded: str, position: int) -> int:
    start = lookback = max(0, position - LOOKBACK)
    for match in _BOUNDARY.finditer(folded, lookback, position):
        start = match.end()
    return start


def _scope_cue(folded: str, start: int, rules: NegationRules) -> str:
    """A worry, hearsay or condition earlier in the keyword's sentence, with no report word between."""
    sentence_start = lookback = max(0, start - LOOKBACK)
    for match in _SENTENCE_END.finditer(folded, lookback, start):
        sentence_start = match.end()
    for match in _REPORT_BREAK.finditer(folded, sentence_start, start):
        sentence_start = match.end()
    reach = folded[sentence_start:start]
    for cue in rules.scope_cues:
        index = reach.rfind(cue)
        while index != -1:
            at = sentence_start + index
            after = folded[at + len(cue):at + len(cue) + 3]
            if not _FEELING_AFTER.match(after) and not _inside_not_cue(folded, at, len(cue), rules):
                return cue
            index = reach.rfind(cue, 0, index)
    return ""


def _negating_cue(folded: str, start: int, rules: NegationRules) -> str:
    clause_start = _clause_start(folded, start)
    window = folded[max(clause_start, start - WIDE_WINDOW - 3):start]
    offset = start - len(window)
    for cue in rules.cues:
        index = window.rfind(cue)
        while index != -1:
            absolute = offset + index
            gap = start - (absolute + len(cue))
            reach = SHORT_REACH if len(cue) == 1 else WIDE_WINDOW
            if 0 <= gap <= reach and not _inside_not_cue(folded, absolute, len(cue), rules):
                return cue
            index = window.rfind(cue, 0, index)
    for modal in MODALS:
        at = start - len(modal)
        if at >= clause_start and folded.startswith(modal, at) and not _inside_not_cue(folded, at, len(modal), rules):
            end = _SENTENCE_END.search(folded, start)
            sentence = folded[clause_start:end.end() if end else len(folded)]
            if DOUBT.search(sentence):
                return modal
            break
    return _scope_cue(folded, start, rules) if rules.scope_cues else ""


def _inside_not_cue(folded: str, at: int, length: int, rules: NegationRules) -> bool:
    """Whether the cue at ``at`` is part of a word that only looks like a cue (不小心, 就会 …)."""
    for word in rules.not_cues:
        begin = max(0, at - len(word) + 1)
        index = folded.find(word, begin, at + length + len(word))
        while index != -1 and index <= at:
            if index + len(word) >= at + length:
                return True
            index = folded.find(word, index + 1, at + length + len(word))
    return False


@lru_cache(maxsize=16)
def _sentences(folded: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each sentence, its closing punctuation left out. Cached: every rule of a suggestion asks
    for the same text's sentences."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(folded):
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(folded):
        spans.append((start, len(folded)))
    return tuple(spans)


def _expression_negated(folded: str, match: re.Match[str], rules: NegationRules) -> str:
    """The cue negating an expression's match: before the match, or before its last group when the cue stands
    in the free text between groups — "插头那里没有打火" for ``(插头…)[^。]{,10}(打火…)``. A negation that is
    part of the pattern itself (``(无法|不能)(营业…)``) lies inside a group and negates nothing."""
    cue = _negating_cue(folded, match.start(), rules)
    if cue or not match.lastindex:
        return cue
    event = match.start(match.lastindex)
    if event <= match.start():
        return ""
    groups_before = [match.end(i) for i in range(1, match.lastindex) if match.start(i) != -1 and match.end(i) <= event]
    gap_start = max(groups_before, default=match.start())
    cue = _negating_cue(folded, event, rules)
    return cue if cue and cue in folded[gap_start:event] else ""


def find_mentions(text: str, keywords: Iterable[str], rules: NegationRules | None = None, *,
                  folded: str | None = None) -> list[Mention]:
    """Every occurrence of each keyword, in text order, each marked negated or not."""
    folded = fold(text) if folded is None else folded
    sentences = _sentences(folded)
    found: list[Mention] = []
    for keyword in keywords:
        if not keyword:
            continue
        pattern = _pattern(keyword)
        if pattern is not None:
            # An expression describes one sentence: "烫得受不了。人没烫伤" is not "烫…伤".
            for begin, end in sentences:
                for match in pattern.finditer(folded, begin, end):
                    if match.end() > match.start():
                        cue = _expression_negated(folded, match, rules) if rules else ""
                        found.append(Mention(keyword=match.group(), start=match.start(), negated=bool(cue), cue=cue))
            continue
        start = folded.find(keyword)
        while start != -1:
            cue = _negating_cue(folded, start, rules) if rules else ""
            found.append(Mention(keyword=keyword, start=start, negated=bool(cue), cue=cue))
            start = folded.find(keyword, start + len(keyword))
    found.sort(key=lambda m: (m.start, -len(m.keyword)))
    return found


def first_affirmed(mentions: Sequence[Mention]) -> Mention | None:
    return next((m for m in mentions if not m.negated), None)
