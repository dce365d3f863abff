"""Pieces of the attempt pages computed from the shown questions: the question grid (with each
cell's state and accessible name) and the result page's filters and weakest topics."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.exam.attempt_access import ShownQuestion, TopicLabel

RESULT_FILTERS = ("all", "mistakes", "unanswered")


@dataclass(frozen=True)
class GridCell:
    position: int
    answered: bool
    flagged: bool
    label: str
    # Only where the right answer is shown at once (practice): True right, False wrong, None not yet.
    correct: bool | None = None

    @property
    def state(self) -> str:
        if self.correct is not None:
            return "right" if self.correct else "wrong"
        return "answered" if self.answered else "open"


def grid(items: list[ShownQuestion], *, feedback: bool) -> list[GridCell]:
    """The question grid with each cell's accessible name ("Question 7: answered, flagged"); the
    phrases are translated once for all the cells. `feedback`: cells show right and wrong."""
    question, answered, flagged = _("Question %(n)s"), _("answered"), _("flagged")
    right, wrong = _("right"), _("wrong")
    cells = []
    for item in items:
        correct = bool(item.is_correct) if feedback and item.answered else None
        states = [phrase for phrase, on in ((answered, item.answered), (flagged, item.flagged)) if on]
        if correct is not None:
            states.append(right if correct else wrong)
        label = question % {"n": item.position} + (": " + ", ".join(states) if states else "")
        cells.append(GridCell(item.position, item.answered, item.flagged, label, correct))
    return cells


def is_mistake(item: ShownQuestion) -> bool:
    return item.answered and not item.is_correct


def filter_items(items: list[ShownQuestion], show: str) -> list[ShownQuestion]:
    """The result page's review: every question, only the wrong answers, or only the unanswered."""
    if show == "mistakes":
        return [item for item in items if is_mistake(item)]
    if show == "unanswered":
        return [item for item in items if not item.answered]
    return items


def filter_counts(items: list[ShownQuestion]) -> dict[str, int]:
    return {
        "all": len(items),
        "mistakes": sum(1 for item in items if is_mistake(item)),
        "unanswered": sum(1 for item in items if not item.answered),
    }


def weakest_topics(items: list[ShownQuestion], limit: int = 2) -> list[TopicLabel]:
    """The topics with the most questions not answered right in this attempt (none if all right)."""
    missed: dict[int, list] = {}
    for item in items:
        if not item.is_correct:
            missed.setdefault(item.topic.id, [item.topic, 0])[1] += 1
    ranked = sorted(missed.values(), key=lambda entry: (-entry[1], entry[0].position))
    return [topic for topic, _count in ranked[:limit]]


GRID_PAGE = 40  # cells shown at once: a marathon of hundreds of questions is paged, not one huge grid


@dataclass(frozen=True)
class GridWindow:
    """The part of the grid around the current question, with the first positions of the pages
    before and after it (None at either end)."""

    cells: list[GridCell]
    previous: int | None
    next: int | None

    def __iter__(self):
        return iter(self.cells)

    @property
    def first(self) -> int:
        return self.cells[0].position if self.cells else 0

    @property
    def last(self) -> int:
        return self.cells[-1].position if self.cells else 0


def grid_window(cells: list[GridCell], position: int) -> GridWindow:
    start = (position - 1) // GRID_PAGE * GRID_PAGE
    end = min(start + GRID_PAGE, len(cells))
    return GridWindow(
        cells[start:end],
        previous=start - GRID_PAGE + 1 if start > 0 else None,
        next=end + 1 if end < len(cells) else None,
    )


def grid_buttons(window: GridWindow, current: int) -> Markup:
    """The window's cells as the grid's buttons, the current question's marked `aria-current`.

    Built here rather than in the template: the 40 cells' dozen attribute look-ups and escapes each
    cost the exam page about a fifth of its rendering time in Jinja (and `Markup.format` half as
    much again). The one value that is text, the label, is escaped; the rest are numbers and fixed
    class names."""
    buttons = []
    for cell in window:
        classes = f"grid-cell grid-cell--{cell.state}"
        classes += " grid-cell--answered" if cell.answered else ""
        classes += " grid-cell--flagged" if cell.flagged else ""
        step = ' aria-current="step"' if cell.position == current else ""
        buttons.append(
            f'<button type="submit" name="go" value="{cell.position:d}" class="{classes}"{step}'
            f' aria-label="{escape(cell.label)}">{cell.position:d}</button>'
        )
    return Markup("\n".join(buttons))  # noqa: S704 (the label escaped above; the rest numbers and fixed names)
