"""The talk charts: each draws one privacy aggregate (SafeFrame only), titled with the finding, at a Size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd

from dashboard import engagement, privacy, theme
from dashboard.privacy import SafeFrame
from dashboard.talk.figures import APPLICANTS, COHORT, TalkFigures

CHART_ORDER = (
    "numbers",
    "applications",
    "experience",
    "timezones",
    "projects",
    "hours",
    "participation",
    "prs",
    "confidence",
)
CHART_TITLES = {
    "numbers": "The session in numbers",
    "applications": "Applications and acceptance rate across sessions",
    "experience": "Experience: applicants vs. cohort",
    "timezones": "Time zones: applicants vs. cohort",
    "projects": "Project preferences: applicants vs. cohort",
    "hours": "Weekly hours against the expected hours",
    "participation": "Check-ins and stand-up attendance by week",
    "prs": "PRs opened and merged by week",
    "confidence": "Confidence before and after",
}


@dataclass(frozen=True)
class Size:
    """Where a chart is shown: its plot width/height and how much to scale the theme's fonts."""

    width: int | str
    height: int
    font: float = 1.0
    fit: bool = False  # width/height are the whole image's, not the plot's


SCREEN = Size("container", 340, 1.0)
SLIDE = Size(1760, 920, 2.0, fit=True)  # a 1920x1080 slide with margins; text readable from the back
NOTEBOOK = Size(820, 300, 1.0)  # Jupyter has no container width


# --- chart helpers ------------------------------------------------------------------------


def _require(safe: Any) -> pd.DataFrame:
    if not isinstance(safe, SafeFrame):
        raise TypeError("Talk charts are drawn only from dashboard.privacy aggregates (SafeFrame).")
    return safe.frame


def _scaled(section: dict, factor: float) -> dict:
    keys = (
        "fontSize",
        "labelFontSize",
        "titleFontSize",
        "subtitleFontSize",
        "offset",
        "labelPadding",
        "titlePadding",
        "symbolSize",
        "tickSize",
    )
    out = {k: v for k, v in section.items()}
    for key in keys:
        if key in out:
            out[key] = out[key] * (factor**2 if key == "symbolSize" else factor)
    return out


TITLE_LINE = 68  # characters that fit on one title line of a slide


def wrap_title(title: str, limit: int = TITLE_LINE) -> str | list[str]:
    """A long title as two lines, broken after '; ' or ', ' (else a space) before the limit."""
    if len(title) <= limit:
        return title
    for mark in ("; ", ", ", " "):
        cut = title.rfind(mark, 0, limit)
        if cut > limit // 3:
            return [title[: cut + len(mark.rstrip())].rstrip(), title[cut + len(mark) :]]
    return title


def finish(chart: alt.Chart, size: Size, title: str, subtitle: str | list[str] = "") -> alt.Chart:
    """Size a chart, give it its finding as title, and scale the theme's text for the size."""
    chart = chart.properties(
        width=size.width, height=size.height, title=alt.Title(wrap_title(title), subtitle=subtitle or alt.Undefined)
    )
    if size.fit:  # the whole image, axes, legend and title included, has exactly this size
        chart = chart.properties(autosize=alt.AutoSizeParams(type="fit", contains="padding"))
    if size.font == 1.0:
        return chart
    config = theme.theme_config()["config"]
    f = size.font
    return (
        chart.configure(padding=int(config["padding"] * f))
        .configure_title(**_scaled(config["title"], f))
        .configure_axis(**_scaled(config["axis"], f), tickCount=6)
        .configure_legend(**_scaled(config["legend"], f), symbolSize=120 * f * f, labelLimit=int(400 * f))
        .configure_header(**_scaled(config["header"], f))
    )


def _pct(value: float) -> str:
    return f"{value * 100:.0f} %"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if abs(value - round(value)) > 1e-9 else f"{value:.0f}"


def _note(safe: SafeFrame) -> list[str]:
    """The privacy note as a subtitle line, when anything was combined, withheld or left out."""
    return [safe.note] if safe.folded or safe.withheld or safe.left_out else []


def _empty_chart(size: Size, title: str, reason: str) -> alt.Chart:
    chart = (
        alt.Chart(pd.DataFrame({"text": [reason]}))
        .mark_text(fontSize=16 * size.font, color=theme.MUTED)
        .encode(text="text:N")
    )
    return finish(chart, size, title)


# --- the charts ---------------------------------------------------------------------------

NUMBER_TILES = (  # key, label, how to show the value
    ("applications", "Applications", _num),
    ("djangonauts", "Djangonauts", _num),
    ("tickets_progressed", "Tickets progressed", _num),
    ("catch_ups_held", "Weekly catch-ups held", _num),
    ("one_to_ones_held", "One-to-ones held", _num),
    ("review_comments", "PR review comments", _num),
    ("prs_opened", "PRs opened", _num),
    ("prs_merged", "PRs merged", _num),
    ("more_comfortable_share", "Feel more comfortable contributing", _pct),
)


def numbers_frame(numbers: dict[str, Any], min_size: int) -> SafeFrame:
    """The headline numbers as tiles (label, value text, position), checked like any aggregate."""
    tiles = [
        (engagement.tickets_label(numbers), engagement.tickets_text(numbers))
        if key == "tickets_progressed"
        else (label, fmt(numbers[key]))
        for key, label, fmt in NUMBER_TILES
        if numbers.get(key) is not None
    ]
    start, end = numbers.get("confidence_start"), numbers.get("confidence_end")
    if start is not None and end is not None:
        tiles.append(("Confidence, start → end (of 5)", f"{_num(start)} → {_num(end)}"))
    columns = [i % 3 for i in range(len(tiles))]
    if len(tiles) % 3 == 1:
        columns[-1] = 1  # a lone last tile sits in the middle
    frame = pd.DataFrame(
        {
            "label": [t[0] for t in tiles],
            "value": [t[1] for t in tiles],
            "column": columns,
            "row": [i // 3 for i in range(len(tiles))],
            "people": numbers.get("djangonauts", 0),
        }
    )
    return privacy.table(frame, min_size)


def numbers_chart(
    numbers: SafeFrame, size: Size = SCREEN, *, session_name: str = "", weeks: int | None = None
) -> alt.Chart:
    """The session in numbers: big figures with their labels, three to a row."""
    frame = _require(numbers)
    title = f"{session_name} in numbers" if session_name else "The session in numbers"
    if frame.empty:
        return _empty_chart(size, title, "Too few Djangonauts to publish figures")
    n = int(frame["people"].iloc[0])
    subtitle = f"{n} Djangonauts" + (f" over {weeks} weeks" if weeks else "") + ", figures from their weekly check-ins"
    rows = int(frame["row"].max()) + 1
    base = alt.Chart(frame).encode(
        x=alt.X("column:O", axis=None, scale=alt.Scale(paddingOuter=0.1)),
        y=alt.Y("row:O", axis=None, scale=alt.Scale(paddingOuter=0.1)),
    )
    value = base.mark_text(fontSize=54 * size.font, fontWeight=700, color=theme.ACCENT, dy=-14 * size.font).encode(
        text="value:N"
    )
    label = base.mark_text(fontSize=17 * size.font, color=theme.TEXT, dy=30 * size.font).encode(text="label:N")
    sized = (
        size if size.fit else Size(size.width, max(size.height, 130 * rows * (1 if size.font == 1 else 1.6)), size.font)
    )
    return finish(alt.layer(value, label), sized, title, subtitle)


def applications_chart(history: SafeFrame, size: Size = SCREEN) -> alt.Chart:
    """Applications per session as bars, each labelled with its acceptance rate."""
    frame = _require(history).copy()
    title = CHART_TITLES["applications"]
    if frame.empty:
        return _empty_chart(size, title, "No session has enough applications to show")
    frame["applications"] = frame["people"].astype(int)
    frame["label"] = frame["rate"].map(lambda r: "" if pd.isna(r) else f"{_pct(r)}\naccepted")
    counts = ", ".join(str(v) for v in frame["applications"])
    title = f"Applications per session: {counts}"
    if frame["rate"].notna().any():
        low, high = frame["rate"].min(), frame["rate"].max()
        rates = _pct(low) if round(low, 2) == round(high, 2) else f"{low * 100:.0f}–{high * 100:.0f} %"
        title += f"; {rates} accepted"
    x = alt.X(
        "session:N", sort=alt.SortField("order"), title=None, axis=alt.Axis(labelAngle=0, labelLimit=400 * size.font)
    )
    base = alt.Chart(frame).encode(x=x)
    bars = base.mark_bar().encode(
        y=alt.Y("applications:Q", title="Applications"),
        tooltip=["session:N", "applications:Q", alt.Tooltip("rate:Q", format=".0%")],
    )
    count = base.mark_text(dy=-14 * size.font, fontSize=18 * size.font, fontWeight=600).encode(
        y="applications:Q", text="applications:Q"
    )
    rate = base.mark_text(
        baseline="bottom",
        dy=-30 * size.font,
        fontSize=15 * size.font,
        color=theme.BACKGROUND,
        fontWeight=600,
        lineBreak="\n",
    ).encode(y=alt.datum(0), text="label:N")
    subtitle = ["Applications received per session; in each bar, the share accepted"]
    subtitle += _note(history)
    return finish(alt.layer(bars, count, rate), size, title, subtitle)


def _composition_title(frame: pd.DataFrame, column: str, dimension: str) -> str:
    wide = frame.pivot_table(index=column, columns="population", values="share", aggfunc="first")
    if APPLICANTS not in wide or COHORT not in wide or wide.empty:
        return f"{dimension}: applicants vs. cohort"
    gap = (wide[COHORT] - wide[APPLICANTS]).round(3)
    label = sorted(gap.index, key=lambda g: (-abs(gap[g]), gap[g] < 0))[0]  # biggest gap, "more" on a tie
    if abs(gap[label]) < 0.05:
        return f"The cohort mirrors the applicants' {dimension.lower()}"
    name = str(label).split(" (")[0]  # "Asia & Pacific (UTC+3:30 to +14)" -> "Asia & Pacific"
    return f"{name}: {_pct(wide.loc[label, COHORT])} of the cohort vs. {_pct(wide.loc[label, APPLICANTS])} of the applicants"


def composition_chart(composition: SafeFrame, column: str, dimension: str, size: Size = SCREEN) -> alt.Chart:
    """Share of applicants and of the cohort in each group, side by side."""
    frame = _require(composition).copy()
    if frame.empty:
        return _empty_chart(size, f"{dimension}: applicants vs. cohort", "Too few people to compare")
    frame["label"] = frame["share"].map(_pct)
    title = _composition_title(frame, column, dimension)
    many = column == "project_preference"
    subtitle = [
        f"Share of applicants and of the accepted cohort, by {dimension.lower()}"
        + ("; people may name several projects" if many else "")
    ]
    subtitle += _note(composition)
    y = alt.Y(
        f"{column}:N",
        sort=alt.SortField("order"),
        title=None,
        axis=alt.Axis(labelLimit=420 * size.font, labelPadding=8 * size.font),
    )
    colour = alt.Color(
        "population:N",
        title=None,
        sort=[APPLICANTS, COHORT],
        scale=alt.Scale(domain=[APPLICANTS, COHORT], range=[theme.PALETTE[0], theme.PALETTE[1]]),
    )
    base = alt.Chart(frame).encode(y=y, yOffset=alt.YOffset("population:N", sort=[APPLICANTS, COHORT]), color=colour)
    bars = base.mark_bar().encode(
        x=alt.X(
            "share:Q",
            title=None,
            axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
            scale=alt.Scale(domain=[0, max(1.0, float(frame["share"].max())) if many else 1.0]),
        ),
        tooltip=[f"{column}:N", "population:N", alt.Tooltip("share:Q", format=".0%")],
    )
    text = base.mark_text(align="left", dx=6 * size.font, fontSize=15 * size.font).encode(x="share:Q", text="label:N")
    return finish(alt.layer(bars, text), size, title, subtitle)


def hours_chart(hours: SafeFrame, expected_hours: float, size: Size = SCREEN) -> alt.Chart:
    """Middle half of reported weekly hours (quartiles) and the median, against the expected hours."""
    frame = _require(hours).copy()
    title = CHART_TITLES["hours"]
    if frame.empty:
        return _empty_chart(size, title, "Too few check-ins to show weekly hours")
    medians = frame["median"]
    at = "at" if (medians - expected_hours).abs().max() <= 0.5 else "around"
    span = f"{_num(medians.iloc[0])} h" if medians.nunique() == 1 else f"{_num(medians.min())}–{_num(medians.max())} h"
    title = (
        f"The median week was {span}, {at} the expected {_num(expected_hours)} h; "
        f"the middle half worked {_num(frame['q1'].min())}–{_num(frame['q3'].max())} h"
    )
    if len(title) > 95:
        title = f"The median week was {span} against the expected {_num(expected_hours)} h"
    x = alt.X("week:N", sort=alt.SortField("order"), title="Week", axis=alt.Axis(labelAngle=0))
    y_scale = alt.Scale(domain=[0, max(float(frame["q3"].max()), expected_hours) * 1.25])
    base = alt.Chart(frame).encode(x=x)
    band = base.mark_bar(opacity=0.55, size=46 * size.font, cornerRadiusEnd=0).encode(
        y=alt.Y("q1:Q", title="Hours in the week", scale=y_scale),
        y2="q3:Q",
        tooltip=["week:N", "people:Q", "q1:Q", "median:Q", "q3:Q"],
    )
    median = base.mark_tick(color=theme.TEXT, opacity=1, thickness=4 * size.font, size=46 * size.font).encode(
        y="median:Q"
    )
    expected = alt.Chart(pd.DataFrame({"expected": [expected_hours], "label": [f"expected {_num(expected_hours)} h"]}))
    rule = expected.mark_rule(color=theme.OK, strokeDash=[8, 6], strokeWidth=3 * size.font).encode(y="expected:Q")
    rule_label = expected.mark_text(
        align="left",
        baseline="middle",
        x="width",
        dx=8 * size.font,
        color=theme.OK,
        fontSize=15 * size.font,
        fontWeight=600,
    ).encode(y="expected:Q", text="label:N")
    subtitle = ["Bars: the middle half of the check-ins each week; white line: the median; dashed: the expected hours"]
    subtitle += _note(hours)
    return finish(alt.layer(rule, band, median, rule_label), size, title, subtitle)


def participation_chart(participation: SafeFrame, size: Size = SCREEN) -> alt.Chart:
    """Share of the cohort that checked in, and that attended the stand-up, each week."""
    frame = _require(participation).copy()
    title = CHART_TITLES["participation"]
    if frame.empty:
        return _empty_chart(size, title, "Too few Djangonauts to show weekly participation")
    checked = frame[frame["measure"] == "Checked in"]["rate"]
    standup = frame[frame["measure"] == "Attended stand-up"]["rate"]
    title = (
        f"{_pct(checked.mean())} of Djangonauts checked in each week on average; "
        f"{_pct(standup.mean())} came to stand-ups"
    )
    x = alt.X("week:N", sort=alt.SortField("order"), title="Week", axis=alt.Axis(labelAngle=0))
    colour = alt.Color("measure:N", title=None, sort=["Checked in", "Attended stand-up"])
    base = alt.Chart(frame).encode(
        x=x,
        y=alt.Y("rate:Q", title="Share of the cohort", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=colour,
    )
    lines = base.mark_line(strokeWidth=4 * size.font)
    points = base.mark_point(size=90 * size.font**2, filled=True).encode(
        tooltip=["week:N", "measure:N", alt.Tooltip("rate:Q", format=".0%")]
    )
    n = int(frame["people"].max())
    return finish(alt.layer(lines, points), size, title, f"Share of the {n} Djangonauts, week by week")


def prs_chart(prs: SafeFrame, size: Size = SCREEN) -> alt.Chart:
    """Pull requests opened and merged each week, side by side."""
    frame = _require(prs)
    title = CHART_TITLES["prs"]
    if frame.empty:
        return _empty_chart(size, title, "Too few check-ins to show pull requests")
    long = frame.melt(
        id_vars=["week", "order"], value_vars=["prs_opened", "prs_merged"], var_name="measure", value_name="count"
    )
    long["measure"] = long["measure"].map({"prs_opened": "Opened", "prs_merged": "Merged"})
    opened, merged = int(frame["prs_opened"].sum()), int(frame["prs_merged"].sum())
    title = f"{merged} pull requests merged out of {opened} opened over {len(frame)} weeks"
    x = alt.X("week:N", sort=alt.SortField("order"), title="Week", axis=alt.Axis(labelAngle=0))
    colour = alt.Color(
        "measure:N",
        title=None,
        sort=["Opened", "Merged"],
        scale=alt.Scale(domain=["Opened", "Merged"], range=[theme.PALETTE[0], theme.PALETTE[2]]),
    )
    base = alt.Chart(long).encode(x=x, xOffset=alt.XOffset("measure:N", sort=["Opened", "Merged"]), color=colour)
    bars = base.mark_bar().encode(y=alt.Y("count:Q", title="Pull requests"), tooltip=["week:N", "measure:N", "count:Q"])
    text = base.mark_text(dy=-12 * size.font, fontSize=15 * size.font).encode(y="count:Q", text="count:Q")
    subtitle = ["As reported in the weekly check-ins", *_note(prs)]
    return finish(alt.layer(bars, text), size, title, subtitle)


def confidence_chart(
    confidence: SafeFrame | None, more_comfortable: float | None = None, size: Size = SCREEN
) -> alt.Chart:
    """Mean confidence contributing (1-5) at the start and the end of the session."""
    title = CHART_TITLES["confidence"]
    if confidence is None:
        return _empty_chart(size, title, "No survey answers yet")
    frame = _require(confidence).copy()
    if frame.empty:
        return _empty_chart(size, title, "Too few survey answers to publish")
    frame["label"] = frame["mean"].map(lambda v: f"{v:.1f}")
    first, last = frame.iloc[0], frame.iloc[-1]
    if len(frame) > 1:
        verb = (
            "rose"
            if last["mean"] > first["mean"] + 0.05
            else "fell"
            if last["mean"] < first["mean"] - 0.05
            else "stayed"
        )
        title = (
            f"Confidence {verb} from {first['mean']:.1f} to {last['mean']:.1f} out of 5"
            if verb != "stayed"
            else f"Confidence stayed at {last['mean']:.1f} out of 5"
        )
    else:
        title = f"Confidence: {first['mean']:.1f} out of 5 ({str(first['stage']).lower()} of the session)"
    subtitle = [
        f"Mean self-rated confidence contributing to open source; {', '.join(f'{int(r.people)} answered at {str(r.stage).lower()}' for r in frame.itertuples())}"
    ]
    if more_comfortable is not None:
        subtitle.append(f"{_pct(more_comfortable)} feel more comfortable contributing than before")
    subtitle += _note(confidence)
    y = alt.Y("stage:N", sort=alt.SortField("order"), title=None, axis=alt.Axis(labelPadding=8 * size.font))
    base = alt.Chart(frame).encode(y=y)
    bars = base.mark_bar(color=theme.ACCENT).encode(
        x=alt.X(
            "mean:Q",
            title="Confidence (1 = not at all, 5 = very)",
            scale=alt.Scale(domain=[0, 5]),
            axis=alt.Axis(values=[0, 1, 2, 3, 4, 5]),
        ),
        color=alt.Color(
            "stage:N",
            legend=None,
            sort=alt.SortField("order"),
            scale=alt.Scale(
                range=[theme.PALETTE[5], theme.PALETTE[0], theme.PALETTE[1]][: len(frame)]
                if len(frame) < 3
                else [theme.PALETTE[5], theme.PALETTE[4], theme.PALETTE[0]]
            ),
        ),
        tooltip=["stage:N", "people:Q", alt.Tooltip("mean:Q", format=".1f")],
    )
    text = base.mark_text(align="left", dx=10 * size.font, fontSize=28 * size.font, fontWeight=700).encode(
        x="mean:Q", text="label:N"
    )
    return finish(alt.layer(bars, text), size, title, subtitle)


def weekly_lines_chart(
    series: dict[str, SafeFrame],
    value: str,
    title: str,
    y_title: str,
    domain: tuple[float, float] | None = None,
    size: Size = SCREEN,
) -> alt.Chart:
    """One line per measure over the weeks (e.g. mean energy and mean burnout), from privacy aggregates."""
    frames = []
    for name, safe in series.items():
        frame = _require(safe)
        frames.append(frame[["week", "order", value, "people"]].assign(measure=name))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if frame.empty:
        return _empty_chart(size, title, "Too few check-ins to show")
    x = alt.X("week:N", sort=alt.SortField("order"), title="Week", axis=alt.Axis(labelAngle=0))
    scale = alt.Scale(domain=list(domain)) if domain else alt.Scale(zero=False)
    base = alt.Chart(frame).encode(
        x=x,
        y=alt.Y(f"{value}:Q", title=y_title, scale=scale),
        color=alt.Color("measure:N", title=None, sort=list(series)),
    )
    lines = base.mark_line(strokeWidth=3 * size.font)
    points = base.mark_point(size=70 * size.font**2, filled=True).encode(
        tooltip=["week:N", "measure:N", "people:Q", alt.Tooltip(f"{value}:Q", format=".2f")]
    )
    return finish(alt.layer(lines, points), size, title)


def bar_chart(
    safe: SafeFrame, category: str, value: str, title: str, x_title: str, size: Size = SCREEN, value_format: str = ".2f"
) -> alt.Chart:
    """Horizontal bars of one value per group (e.g. each pseudonymous reviewer's strictness)."""
    frame = _require(safe)
    if frame.empty:
        return _empty_chart(size, title, "Nothing to show")
    sort = alt.SortField("order") if "order" in frame else None
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", title=None, sort=sort),
            x=alt.X(f"{value}:Q", title=x_title),
            color=alt.condition(f"datum['{value}'] < 0", alt.value(theme.PALETTE[1]), alt.value(theme.ACCENT)),
            tooltip=[f"{category}:N", alt.Tooltip(f"{value}:Q", format=value_format)],
        )
    )
    return finish(bars, size, title)


def talk_charts(figures: TalkFigures, size: Size = SCREEN) -> dict[str, alt.Chart]:
    """Every talk chart for a session, in the order of the talk."""
    numbers = numbers_frame(figures.numbers, figures.min_group_size)
    return {
        "numbers": numbers_chart(numbers, size, session_name=figures.session_name, weeks=figures.numbers.get("weeks")),
        "applications": applications_chart(figures.applications, size),
        "experience": composition_chart(figures.composition["experience"], "experience_level", "Experience", size),
        "timezones": composition_chart(figures.composition["timezones"], "timezone_band", "Time zone", size),
        "projects": composition_chart(
            figures.composition["projects"], "project_preference", "Project preference", size
        ),
        "hours": hours_chart(figures.hours, figures.expected_hours, size),
        "participation": participation_chart(figures.participation, size),
        "prs": prs_chart(figures.prs, size),
        "confidence": confidence_chart(figures.confidence, figures.numbers.get("more_comfortable_share"), size),
    }
