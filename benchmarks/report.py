"""Markdown tables and plots from the benchmark's JSON results."""

from __future__ import annotations

from pathlib import Path

from .measures import LEVELS
from .passes import markdown_lines as pass_lines

REFERENCE_CONTENDER = "lbfgs"


def _format_time(seconds, reference):
    if seconds is None:
        return "—"
    text = f"{seconds:.3g} s"
    if reference:
        text += f" ({seconds / reference:.2f}x)"
    return text


def markdown(results: dict) -> str:
    """The results as markdown: time to each level with its ratio to lbfgs, then the
    per-step, float32 and memory measures."""
    meta = results["meta"]
    lines = [
        f"Machine: {meta['machine']}; BLAS threads for the time-to-optimum table: "
        f"{meta['threads']} (threadpoolctl); medians of {meta['repeats']} runs; "
        f"mode: {meta['mode']}.",
        "",
        "Time to relative suboptimality (ratio to lbfgs in brackets; — = not reached "
        "within the budget):",
        "",
        "| dataset | contender | "
        + " | ".join(f"to {level:g}" for level in LEVELS)
        + " | best reached |",
        "|---|---|" + "---|" * len(LEVELS) + "---|",
    ]
    for name, data in results["datasets"].items():
        reference = data["contenders"].get(REFERENCE_CONTENDER, {}).get("time_to", {})
        for contender, entry in data["contenders"].items():
            cells = [
                _format_time(
                    entry["time_to"][f"{level:g}"],
                    None
                    if contender == REFERENCE_CONTENDER
                    else reference.get(f"{level:g}"),
                )
                for level in LEVELS
            ]
            lines.append(
                f"| {name} | {contender} | "
                + " | ".join(cells)
                + f" | {entry['best_suboptimality']:.1e} |"
            )
    if results.get("steps"):
        lines += [
            "",
            "One gradient step against streaming X once (same run):",
            "",
            "| dataset | X size | threads | step | stream X once | step / stream "
            "| plain X@w + X.T@r |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, step in results["steps"].items():
            for threads, row in step["by_threads"].items():
                lines.append(
                    f"| {name} | {step['nbytes'] / 1e6:.0f} MB | {threads} | "
                    f"{row['step_s'] * 1e3:.2f} ms | {row['stream_s'] * 1e3:.2f} ms "
                    f"({row['bandwidth_GBps']:.1f} GB/s) | "
                    f"{row['step_over_stream']:.2f}x | "
                    f"{row['plain_two_products_s'] * 1e3:.2f} ms |"
                )
    if results.get("float32"):
        lines += ["", "float32 against float64, one step:", ""]
        lines += [
            "| dataset | threads | float64 / float32 step time |",
            "|---|---|---|",
        ]
        for name, row in results["float32"].items():
            for threads, ratio in row.items():
                cell = "—" if ratio is None else f"{ratio:.2f}x"
                lines.append(f"| {name} | {threads} | {cell} |")
    if results.get("passes"):
        lines += pass_lines(results["passes"], results.get("float32_passes", {}))
    if results.get("memory"):
        lines += ["", "Peak NumPy memory during fit (tracemalloc), fraction of X:", ""]
        lines += ["| dataset | contender | peak extra | of X |", "|---|---|---|---|"]
        for name, row in results["memory"].items():
            for contender, entry in row.items():
                lines.append(
                    f"| {name} | {contender} | {entry['peak_bytes'] / 1e6:.1f} MB | "
                    f"{entry['fraction_of_X']:.3f} |"
                )
    if results.get("summary"):
        lines += ["", "Default GDLogisticRegression() against lbfgs, time to 1e-8:", ""]
        summary = results["summary"]
        lines.append(
            f"median ratio {summary['median_ratio_1e-8']}, worst "
            f"{summary['worst_ratio_1e-8']} ({summary['worst_dataset']}), over the "
            "datasets where both reached 1e-8."
        )
        for name, note in summary.get("only_one_reached_1e-8", {}).items():
            lines.append(f"- {name}: {note} within the budget.")
    return "\n".join(lines) + "\n"


def plot_dataset(name: str, data: dict, path: Path) -> Path:
    """Suboptimality against time for every contender on one dataset, as a PNG."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "Plots need matplotlib: pip install 'sklogreg[plot]'"
        ) from error
    optimum = data["optimum"]
    figure, ax = plt.subplots(figsize=(6, 4))
    for contender, entry in data["contenders"].items():
        points = sorted(entry["points"], key=lambda p: p["time"])
        times = [p["time"] for p in points]
        subopt = [max((p["value"] - optimum) / abs(optimum), 1e-16) for p in points]
        # The best suboptimality reached by a given time: a staircase.
        best = [min(subopt[: i + 1]) for i in range(len(subopt))]
        ax.step(times, best, where="post", marker="o", markersize=3, label=contender)
    for level in LEVELS:
        ax.axhline(level, color="grey", linewidth=0.5, linestyle=":")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="wall time of fit (s)",
        ylabel="relative suboptimality",
        title=f"{name}: {data['description']}",
    )
    ax.title.set_fontsize(8)
    ax.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
