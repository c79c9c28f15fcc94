"""Draws the panels that render.sh queried (JSON on argv[1]) into a PNG (argv[2]).

Each panel: a title and its series over seconds since the start, as Grafana
would draw them (lines; bars for counts per interval; limits dashed).
"""
import json
import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

UNITS = {"reqps": "req/s", "opm": "per min", "s": "seconds", "percentunit": "share", "short": ""}


def draw(ax, panel):
    ax.set_title(panel["title"], fontsize=10, loc="left")
    # Series that stay 0 (resetd exports many at 0) would only crowd the legend.
    series = [s for s in panel["series"] if any(p[1] for p in s["points"])]
    zeros = len(panel["series"]) - len(series)
    if zeros and not series:
        ax.axhline(0, label=f"all {zeros} series 0")
    for s in series:
        # NaN (a quantile of no observations) arrives as null.
        points = [p for p in s["points"] if p[1] is not None and math.isfinite(p[1])]
        if not points:
            continue
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        if not xs:
            continue
        if panel["bars"]:
            ax.bar(xs, ys, width=1.0, label=s["legend"], alpha=0.8)
        else:
            ax.plot(xs, ys, label=s["legend"], linestyle="--" if s["dashed"] else "-",
                    linewidth=1.6 if s["dashed"] else 1.0)
    ax.set_ylabel(UNITS.get(panel["unit"], panel["unit"]), fontsize=8)
    ax.set_xlabel("seconds", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
    ax.set_ylim(bottom=0, top=None if series else 1)
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles[:12], labels[:12], fontsize=6, loc="upper right", ncol=2)
    else:
        ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", color="grey")


def main():
    panels = json.load(open(sys.argv[1]))
    cols = 3
    rows = math.ceil(len(panels) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(18, 4.2 * rows))
    for ax, panel in zip(axes.flat, panels):
        draw(ax, panel)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    fig.suptitle("resetd (deploy/grafana/resetd.json): three reset jobs of 100 instances against fakecloud, 20 s apart",
                 fontsize=12)
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=80)


if __name__ == "__main__":
    main()
