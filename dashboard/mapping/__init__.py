"""Which canonical field each column of a form feeds: suggestions, merging, TOML, and a preview.

A suggestion weighs two kinds of evidence, each kept in one table: the question's words
(RULES in question_words.py) and what the answers look like (``_accepts`` and ``_profile`` in
answers.py); suggestions.py weighs them. Mappings an
organiser confirmed before (saved in the app or written in dashboard.toml) come first: the
same question gets the same field, a reworded one ("Week" -> "Which week?") the field of the
closest known question. A column with weak evidence stays unmapped: its answers are kept as
extra answers (applications) or with the raw rows, never guessed into a field.

Also here: columns.py (a form's questions, checkbox grids as one), effective.py (layers merged
into the mapping a table uses), toml_export.py (the dashboard.toml block) and previews.py.
"""

from __future__ import annotations

from dashboard.mapping.question_words import (
    SYNONYMS,
    STOPWORDS,
    Rule,
    RULES,
    STRONG,
    WEAK,
    EXTRA_WORD,
    WORDS_WEIGHT,
    FITS,
    UNSURE_FIT,
    MISFIT,
    NAMED_LIKE_FIELD,
    KNOWN_EXACT,
    SUGGEST_AT,
    CONFIDENCE_WORDS,
    DISPLAY,
    words,
    content_words,
    word_score,
)
from dashboard.mapping.answers import (
    TIMESTAMP,
    UTC_OFFSET,
    ZONE_ABBREVIATIONS,
    SAMPLE_SIZE,
    FIT_SHARE,
    MISFIT_SHARE,
    ANSWER_WORDS,
    Profile,
    answer_fit,
)
from dashboard.mapping.columns import GRID, GRID_HEADER, Column, columns_of, is_availability_grid, Known
from dashboard.mapping.suggestions import SCORE, Suggestion, targets, criterion_rules, suggest
from dashboard.mapping.effective import conflicts, effective_mapping, questions_not_fed
from dashboard.mapping.toml_export import to_toml, suggestions_toml
from dashboard.mapping.previews import Preview, preview

__all__ = [
    "SYNONYMS",
    "STOPWORDS",
    "Rule",
    "RULES",
    "STRONG",
    "WEAK",
    "EXTRA_WORD",
    "WORDS_WEIGHT",
    "FITS",
    "UNSURE_FIT",
    "MISFIT",
    "NAMED_LIKE_FIELD",
    "KNOWN_EXACT",
    "SUGGEST_AT",
    "CONFIDENCE_WORDS",
    "DISPLAY",
    "words",
    "content_words",
    "word_score",
    "TIMESTAMP",
    "UTC_OFFSET",
    "ZONE_ABBREVIATIONS",
    "SAMPLE_SIZE",
    "FIT_SHARE",
    "MISFIT_SHARE",
    "ANSWER_WORDS",
    "Profile",
    "answer_fit",
    "GRID",
    "GRID_HEADER",
    "Column",
    "columns_of",
    "is_availability_grid",
    "Known",
    "SCORE",
    "Suggestion",
    "targets",
    "criterion_rules",
    "suggest",
    "conflicts",
    "effective_mapping",
    "questions_not_fed",
    "to_toml",
    "suggestions_toml",
    "Preview",
    "preview",
]
