"""Benchmark: every page in headless Chromium against a real `streamlit run`, at 10x the demo.

    .venv/bin/python -m benchmarks.bench_browser [--scale 10] [--contexts 20] [--repeat 3] [--pages selection teams]

- Per page, as the Organiser persona (the demo's default; may open every page): the time until
  Streamlit reports the script finished (data-test-script-state='notRunning' with the page's
  title drawn; tests/browser_support.wait_for_app without its 300 ms paint pause):
  "first open": page.goto(<app>/<page>) in a new tab, the first time after the server started
  (its cached loaders are empty); "open in a new tab": median of --repeat later opens (a new
  Streamlit session each: the browser loads and starts the app's JavaScript again);
  "switch in the sidebar": median of --repeat clicks on the page's link in one tab (the
  script rerun only, which is what moving between pages costs).
- Memory: peak resident memory (RSS) of the server process and its children, sampled every
  50 ms through the whole run (psutil when installed, else /proc).
- Load check: --contexts browser contexts (separate sessions) open the Overview page at the
  same time; all must finish without an exception box; the slowest time is reported.
Writes a markdown table to benchmarks/out/browser.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from pathlib import Path

from dashboard import access
from benchmarks.demo_dbs import OUT, ensure_demo
from tests.browser_support import chromium, page_problem, streamlit_server


def _rss_tree(pid: int) -> int:
    """Resident bytes of a process and its children."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        try:
            proc = psutil.Process(pid)
            procs = [proc, *proc.children(recursive=True)]
            total = 0
            for p in procs:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            return total
        except psutil.Error:
            return 0
    try:  # /proc fallback: this process only
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of the server process so far (0 when unknown)."""
    try:
        import psutil

        times = psutil.Process(pid).cpu_times()
        return times.user + times.system
    except Exception:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            return 0.0


class PeakMemory:
    """Samples the server's RSS in a thread; .peak is the largest seen."""

    def __init__(self, pid: int, every: float = 0.05):
        self.pid, self.every, self.peak, self._stop = pid, every, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss_tree(self.pid))
            self._stop.wait(self.every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def server_pid(port: int) -> int | None:
    """The pid of the streamlit process listening on this port (our child)."""
    try:
        import psutil

        for proc in psutil.Process(os.getpid()).children(recursive=True):
            try:
                if any(c.laddr and c.laddr.port == port for c in proc.net_connections(kind="tcp")):
                    return proc.pid
            except psutil.Error:
                continue
        for proc in psutil.Process(os.getpid()).children(recursive=True):
            if "streamlit" in " ".join(proc.cmdline()):
                return proc.pid
    except ImportError:
        pass
    for entry in Path("/proc").iterdir():  # fallback: a child running streamlit on this port
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                status = (entry / "status").read_text()
            except OSError:
                continue
            ppid = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("PPid:")), 0)
            if "streamlit run" in cmd and str(port) in cmd and ppid == os.getpid():
                return int(entry.name)
    return None


def open_and_time(browser, base: str, url_path: str, timeout_ms: float) -> tuple[float, str]:
    """Seconds from goto until the script finished, and a problem ('' when none), in a new context."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        return open_and_time_in(context.new_page(), base, url_path, timeout_ms)
    finally:
        context.close()


def open_and_time_in(page, base: str, url_path: str, timeout_ms: float) -> tuple[float, str]:
    """Seconds from goto until the script finished, and a problem ('' when none), in this tab."""
    try:
        started = time.perf_counter()
        page.goto(f"{base}/{url_path}", wait_until="commit")
        # Streamlit reports notRunning briefly before the first run starts; wait for the run.
        page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
        page.wait_for_function(
            "() => { const a = document.querySelector(\"[data-testid='stApp']\");"
            " return a && a.getAttribute('data-test-connection-state') === 'CONNECTED'"
            " && a.getAttribute('data-test-script-state') === 'notRunning'"
            " && document.querySelector(\"[data-testid='stMain'] h1, [data-testid='stException'], [data-testid='stAlert']\") }",
            timeout=timeout_ms,
            polling=25,
        )
        seconds = time.perf_counter() - started
        return seconds, page_problem(page)
    except Exception as exc:  # a timeout is a result here, not a crash of the benchmark
        return float("nan"), f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"


NAV_SCRIPT = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  window.__benchRan = false;
  new MutationObserver(() => {
    if (app.getAttribute('data-test-script-state') === 'running') window.__benchRan = true;
  }).observe(app, {attributes: true});
}"""
RAN_AND_FINISHED = (
    "() => window.__benchRan && document.querySelector(\"[data-testid='stApp']\")"
    ".getAttribute('data-test-script-state') === 'notRunning'"
)


def switch_and_time(page, url_path: str, timeout_ms: float, default: str = "overview") -> tuple[float, str]:
    """Seconds from clicking the page in the sidebar until its script run finished (same tab and session)."""
    try:
        page.evaluate(NAV_SCRIPT)
        hrefs = page.eval_on_selector_all("[data-testid='stSidebarNavLink']", "links => links.map(a => a.href)")
        # the default page's link is the app's root
        index = next(
            i for i, h in enumerate(hrefs) if h.rstrip("/").endswith("/" + url_path) or (i == 0 and url_path == default)
        )
        link = page.locator("[data-testid='stSidebarNavLink']").nth(index)
        started = time.perf_counter()
        link.evaluate("a => a.click()")  # a user's click, without Playwright's scroll-into-view waits
        page.wait_for_function(RAN_AND_FINISHED, timeout=timeout_ms, polling=25)
        seconds = time.perf_counter() - started
        return seconds, page_problem(page)
    except Exception as exc:
        return float("nan"), f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"


def load_check(browser, base: str, n: int, timeout_ms: float) -> tuple[list[float], list[str]]:
    """n browser contexts open the Overview page at the same moment; their times and problems."""
    contexts = [browser.new_context(viewport={"width": 1400, "height": 900}) for _ in range(n)]
    pages = [c.new_page() for c in contexts]
    times, problems = [float("nan")] * n, [""] * n
    started = time.perf_counter()
    for page in pages:  # Playwright's sync API is single-threaded: start every navigation, then wait on each
        page.evaluate(f"window.location.href = {base + '/overview'!r}")
    for i, page in enumerate(pages):
        try:
            page.wait_for_function(
                "() => { const a = document.querySelector(\"[data-testid='stApp']\");"
                " return a && a.getAttribute('data-test-connection-state') === 'CONNECTED'"
                " && a.getAttribute('data-test-script-state') === 'notRunning'"
                " && document.querySelector(\"[data-testid='stMain'] h1\") }",
                timeout=timeout_ms,
                polling=25,
            )
            times[i] = time.perf_counter() - started
            problems[i] = page_problem(page)
        except Exception as exc:
            problems[i] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:100]}"
    for context in contexts:
        context.close()
    return times, problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3, help="warm opens per page (the median is shown)")
    parser.add_argument("--contexts", type=int, default=20, help="browser contexts in the load check")
    parser.add_argument("--timeout", type=float, default=120, help="seconds before an open counts as failed")
    parser.add_argument("--pages", nargs="*", help="page keys to measure (default: all)")
    args = parser.parse_args()
    url = ensure_demo(args.scale)
    timeout_ms = args.timeout * 1000
    results, notes = {}, []
    specs = [s for s in access.PAGES if not args.pages or s.key in args.pages]
    with streamlit_server(url) as base:
        port = int(base.rsplit(":", 1)[1])
        pid = server_pid(port)
        with PeakMemory(pid) as memory, chromium() as browser:
            idle = _rss_tree(pid)
            for spec in specs:
                first, problem = open_and_time(browser, base, spec.key, timeout_ms)
                opens = []
                for _ in range(args.repeat):
                    seconds, again = open_and_time(browser, base, spec.key, timeout_ms)
                    opens.append(seconds)
                    problem = problem or again
                results[spec.key] = [spec.title, first, statistics.median(opens), float("nan")]
                print(
                    f"{spec.key:<12} first open {first:6.2f} s  open {statistics.median(opens):6.2f} s  {problem}",
                    flush=True,
                )
                if problem:
                    notes.append(f"- {spec.title}: {problem}")
            # In-app navigation: one tab, click each page in the sidebar (what people do all day).
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            tab = context.new_page()
            open_and_time_in(tab, base, "overview", timeout_ms)
            for _ in range(args.repeat):
                for spec in specs:
                    seconds, problem = switch_and_time(tab, spec.key, timeout_ms)
                    results[spec.key].append(seconds)
                    if problem:
                        notes.append(f"- {spec.title} (sidebar): {problem}")
            context.close()
            for key, row in results.items():
                switches = [t for t in row[4:] if t == t]
                row[3] = statistics.median(switches) if switches else float("nan")
                print(f"{key:<12} sidebar switch {row[3]:6.2f} s", flush=True)
            cpu_before = _cpu_seconds(pid)
            times, problems = load_check(browser, base, args.contexts, timeout_ms)
            server_cpu = _cpu_seconds(pid) - cpu_before
            peak = memory.peak
    failed = [p for p in problems if p]
    text = [
        f"Browser (headless Chromium, `streamlit run`, demo at {args.scale}x, {os.cpu_count()} cores, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}): seconds until Streamlit reports the "
        f"page's script finished. First open: a new tab right after the server started (empty caches). "
        f"Open in a new tab: median of {args.repeat} (new session, loads the app's JavaScript, caches filled). "
        f"Switch in the sidebar: median of {args.repeat} clicks on the page's link in one tab.",
        "",
        "| Page | first open s | open in a new tab s | switch in the sidebar s |",
        "|---|---|---|---|",
    ]
    text += [f"| {row[0]} | {row[1]:.2f} | {row[2]:.2f} | {row[3]:.2f} |" for row in results.values()]
    text += [
        "",
        f"Server memory (RSS incl. children): {idle / 2**20:,.0f} MB after start, "
        f"peak {peak / 2**20:,.0f} MB during the run.",
        f"Load check: {args.contexts} browser contexts opened Overview at once: "
        f"{args.contexts - len(failed)} finished without errors; slowest {max(t for t in times if t == t):.2f} s, "
        f"median {statistics.median([t for t in times if t == t]):.2f} s; the server used {server_cpu:.1f} s of CPU for "
        f"all {args.contexts} (the rest is {args.contexts} Chromium renderers sharing the same cores)."
        if any(t == t for t in times)
        else f"Load check: no context finished ({failed[:1]}).",
    ]
    if failed:
        text.append("Load check problems: " + "; ".join(sorted(set(failed))))
    text += notes
    out = "\n".join(text)
    print()
    print(out)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "browser.md").write_text(out + "\n")


if __name__ == "__main__":
    main()
