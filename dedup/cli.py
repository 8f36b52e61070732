"""The command line: parse options, build the config, call the library, map errors to exit codes.

Exit codes: 0 success, 1 failure during the run, 2 usage error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from dedup.api import RunReport, run
from dedup.config import KEEP_CHOICES, Config
from dedup.errors import ConfigError, DedupError, UsageError
from dedup.lsh import candidate_threshold, lsh_params
from dedup.report import summary_table

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Clean scraped text: strip debris, find repeated paragraphs, boilerplate and near-duplicate documents.",
)

Inputs = Annotated[
    list[str],
    typer.Argument(
        help="Files, directories (searched for *.txt, *.html, *.htm, *.html.gz and record files: *.jsonl, "
        "*.jsonl.gz, *.jsonl.zst, *.parquet, *.warc, *.warc.gz) or - for standard input."
    ),
]
ConfigFile = Annotated[Path | None, typer.Option("--config", help="A TOML config file (see docs/config.md).")]
Threshold = Annotated[float | None, typer.Option(help="Jaccard similarity above which a paragraph repeats another.")]
Containment = Annotated[float | None, typer.Option(help="Share inside an earlier paragraph that makes a repeat.")]
DocThreshold = Annotated[float | None, typer.Option(help="Jaccard similarity making documents near-duplicates.")]
MinDocs = Annotated[int | None, typer.Option(help="Documents of one source a boilerplate paragraph recurs in.")]
KeepOpt = Annotated[str | None, typer.Option(help="Which near-duplicate document to keep: first, longest or all.")]
NumPerm = Annotated[int | None, typer.Option(help="MinHash permutations.")]
Ngram = Annotated[int | None, typer.Option(help="Words (or characters, with --shingle char) per shingle.")]
ShingleOpt = Annotated[str | None, typer.Option(help="Shingles of words or of characters: word or char.")]
VerifyOpt = Annotated[
    str | None,
    typer.Option(help="Confirm LSH candidates by exact Jaccard or by signature agreement: jaccard or signature."),
]
MinTokens = Annotated[int | None, typer.Option(help="Paragraphs with fewer tokens are matched exactly only.")]
Disable = Annotated[list[str] | None, typer.Option(help="A rule id to switch off (repeatable).")]
RulesFile = Annotated[list[str] | None, typer.Option(help="An extra TOML rule file (repeatable).")]
Context = Annotated[bool | None, typer.Option("--context/--no-context", help="Remove debris told by neighbours.")]
MainContent = Annotated[
    bool | None,
    typer.Option("--main-content/--all-blocks", help="HTML: keep the main content only, or every visible block."),
]
OutputFormat = Annotated[
    str | None, typer.Option(help="HTML inputs are written as txt (default), md or html; text stays text.")
]
TextField = Annotated[str | None, typer.Option(help="Record files: the field (column) holding the text.")]
IdField = Annotated[str | None, typer.Option(help="Record files: the field holding a record's id.")]
UrlField = Annotated[str | None, typer.Option(help="Record files: the field holding a record's URL.")]
OutputField = Annotated[
    str | None,
    typer.Option(help="Record files: add the cleaned text under this field (default: it replaces the text)."),
]
OnErrorOpt = Annotated[
    str | None,
    typer.Option(help="A bad record: stop (fail, write nothing) or skip (leave it out, list it in summary.json)."),
]
WriteDropped = Annotated[
    bool | None,
    typer.Option(
        "--write-dropped/--no-write-dropped",
        help="Record files: write near-duplicates left out to <name>.dropped.<suffix> beside the output.",
    ),
]
RemovalFields = Annotated[
    bool | None,
    typer.Option(
        "--removal-fields/--no-removal-fields", help="Record files: add a 'dedup' field saying what was removed."
    ),
]
Force = Annotated[bool, typer.Option("--force", help="Write into a non-empty output directory.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors (no progress, no summary).")]
Jobs = Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes; the output is the same for any N.")]
Resume = Annotated[
    bool,
    typer.Option("--resume", help="Continue an interrupted run into the same OUTDIR from its checkpoints."),
]
ProgressOpt = Annotated[
    str,
    typer.Option(help="Progress on standard error: auto (a bar on a terminal, log lines elsewhere), bar, log, none."),
]
PROGRESS_CHOICES = ("auto", "bar", "log", "none")
IndexOpt = Annotated[
    Path | None,
    typer.Option("--index", help="Clean against a saved Deduper index; duplicates name the indexed page they repeat."),
]
UpdateIndex = Annotated[
    bool, typer.Option("--update-index", help="Add this run's documents to the --index file (created if missing).")
]


def build_config(config_file: Path | None, **options: Any) -> Config:
    """The one place options become a config: the file first, then the flags that were given."""
    base = Config.from_toml(config_file) if config_file else Config()
    if options.get("keep") is not None and options["keep"] not in KEEP_CHOICES:
        raise ConfigError(f"--keep must be one of {', '.join(KEEP_CHOICES)}, got {options['keep']!r}")
    for name in ("disable", "rules_files"):
        if options.get(name):
            options[name] = tuple(getattr(base.rules, name)) + tuple(options[name])
        else:
            options[name] = None
    if not options.get("force"):
        options["force"] = None
    return base.with_options(**options)


# Command parameters that are not config options.
_NOT_OPTIONS = ("inputs", "output", "quiet", "jobs", "resume", "progress", "index", "update_index")


def config_options(params: dict[str, Any]) -> dict[str, Any]:
    """A command's parameters as build_config's arguments: they carry the config options' own names
    (the repeatable `--rules-file` flag fills the `rules_files` list)."""
    options = {k: v for k, v in params.items() if k not in _NOT_OPTIONS}
    options["rules_files"] = options.pop("rules_file")
    return options


def _progress_mode(progress: str, quiet: bool) -> str:
    if progress not in PROGRESS_CHOICES:
        raise UsageError(f"--progress must be one of {', '.join(PROGRESS_CHOICES)}, got {progress!r}")
    return "none" if quiet else progress


def _interrupted(output: str | None) -> typer.Exit:
    console = Console(stderr=True, soft_wrap=True)
    if output not in (None, "-"):
        console.print(f"interrupted: run the same command with --resume to continue from the checkpoints in {output}")
    else:
        console.print("interrupted")
    return typer.Exit(130)


def _fail(exc: Exception) -> typer.Exit:
    # Messages hold brackets ("pip install 'dedup[parquet]'") that rich would otherwise take for markup.
    Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
    usage = isinstance(exc, UsageError | ConfigError)
    return typer.Exit(2 if usage else 1)


@app.command("clean")
def clean_command(
    inputs: Inputs,
    output: Annotated[str, typer.Option("--output", "-o", help="Output directory, or - for standard output.")],
    config_file: ConfigFile = None,
    threshold: Threshold = None,
    containment: Containment = None,
    doc_threshold: DocThreshold = None,
    min_docs: MinDocs = None,
    keep: KeepOpt = None,
    num_perm: NumPerm = None,
    ngram: Ngram = None,
    shingle: ShingleOpt = None,
    verify: VerifyOpt = None,
    min_tokens: MinTokens = None,
    disable: Disable = None,
    rules_file: RulesFile = None,
    context: Context = None,
    main_content: MainContent = None,
    output_format: OutputFormat = None,
    text_field: TextField = None,
    id_field: IdField = None,
    url_field: UrlField = None,
    output_field: OutputField = None,
    on_error: OnErrorOpt = None,
    write_dropped: WriteDropped = None,
    removal_fields: RemovalFields = None,
    force: Force = False,
    quiet: Quiet = False,
    jobs: Jobs = 1,
    resume: Resume = False,
    progress: ProgressOpt = "auto",
    index: IndexOpt = None,
    update_index: UpdateIndex = False,
) -> None:
    """Clean INPUT... into OUTDIR: cleaned files at the same relative paths, report.jsonl and summary.json.

    Record files (JSONL, Parquet, WARC) are written back as records, one output file per input.

    An interrupted run (Ctrl-C, a kill) continues with the same command and --resume.

    Examples: dedup clean corpus/ -o out/ ; dedup clean crawl.jsonl.gz --removal-fields -o out/ ;
    dedup clean shards/ -o out/ --jobs 8 (and, after an interruption, the same with --resume) ;
    dedup clean new-crawl/ -o out/ --index seen.idx --update-index
    """
    try:
        config = build_config(**config_options(locals()))
        mode = _progress_mode(progress, quiet)
        report = run(
            inputs,
            output,
            config,
            jobs=jobs,
            resume=resume,
            progress=mode,
            keep_results=False,
            index=None if index is None else str(index),
            update_index=update_index,
        )
    except DedupError as exc:
        raise _fail(exc) from exc
    except KeyboardInterrupt:
        raise _interrupted(output) from None
    _print_summary(report, quiet)


@app.command("scan")
def scan_command(
    inputs: Inputs,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write report.jsonl and summary.json here instead of stdout.")
    ] = None,
    config_file: ConfigFile = None,
    threshold: Threshold = None,
    containment: Containment = None,
    doc_threshold: DocThreshold = None,
    min_docs: MinDocs = None,
    keep: KeepOpt = None,
    num_perm: NumPerm = None,
    ngram: Ngram = None,
    shingle: ShingleOpt = None,
    verify: VerifyOpt = None,
    min_tokens: MinTokens = None,
    disable: Disable = None,
    rules_file: RulesFile = None,
    context: Context = None,
    main_content: MainContent = None,
    output_format: OutputFormat = None,
    text_field: TextField = None,
    id_field: IdField = None,
    url_field: UrlField = None,
    output_field: OutputField = None,
    on_error: OnErrorOpt = None,
    write_dropped: WriteDropped = None,
    removal_fields: RemovalFields = None,
    force: Force = False,
    quiet: Quiet = False,
    jobs: Jobs = 1,
    resume: Resume = False,
    progress: ProgressOpt = "auto",
    index: IndexOpt = None,
) -> None:
    """Report what clean would remove, without writing cleaned text (report.jsonl to stdout by default).

    Example: dedup scan corpus/ > report.jsonl
    """
    try:
        config = build_config(**config_options(locals()))
        if output == "-":
            raise UsageError("scan writes its report to stdout already; give -o a directory or leave it out")
        mode = _progress_mode(progress, quiet)
        report = run(
            inputs,
            output,
            config,
            write_text=False,
            jobs=jobs,
            resume=resume,
            progress=mode,
            keep_results=False,
            report_to=sys.stdout if output is None else None,
            index=None if index is None else str(index),
        )
    except DedupError as exc:
        raise _fail(exc) from exc
    except KeyboardInterrupt:
        raise _interrupted(output) from None
    _print_summary(report, quiet)


@app.command("params")
def params_command(
    threshold: Annotated[float, typer.Option(help="Jaccard threshold.")] = 0.8,
    num_perm: NumPerm = 128,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Show the LSH bands and rows for a threshold and the chance a pair at it, and 0.1 either side, is caught.

    Two settings are shown: LSH tuned for the threshold itself (what datasketch's MinHashLSH would
    pick), and the looser candidate threshold dedup runs LSH at before verifying pairs exactly.
    """
    try:
        config = Config().with_options(doc_threshold=threshold, num_perm=num_perm)
        t = config.repeats.doc_threshold
        points = tuple(s for s in (t - 0.1, t, t + 0.1) if 0.0 <= s <= 1.0)
        rows = [("at the threshold", lsh_params(t, config.minhash.num_perm))]
        rows.append(("dedup's candidate stage", lsh_params(candidate_threshold(t), config.minhash.num_perm)))
    except (DedupError, ValueError) as exc:
        raise _fail(exc) from exc
    if as_json:
        out = [
            {
                "setting": name,
                "lsh_threshold": p.threshold,
                "num_perm": p.num_perm,
                "bands": p.bands,
                "rows": p.rows,
                "p_candidate": {f"{s:.2f}": round(p.probability(s), 6) for s in points},
            }
            for name, p in rows
        ]
        typer.echo(json.dumps({"threshold": t, "settings": out}, indent=2))
        return
    typer.echo(f"threshold {t}, {config.minhash.num_perm} permutations")
    for name, p in rows:
        curve = ", ".join(f"P({s:.2f}) = {p.probability(s):.3f}" for s in points)
        typer.echo(f"  {name} (LSH at {p.threshold}): {p.bands} bands x {p.rows} rows; {curve}")


def _print_summary(report: RunReport, quiet: bool) -> None:
    if quiet:
        return
    console = Console(stderr=True, soft_wrap=True)
    for w in report.warnings:
        console.print(f"[yellow]warning:[/] {escape(str(w))}", highlight=False)
    for skip in report.skipped:
        console.print(f"[yellow]warning:[/] skipped a bad record: {escape(str(skip))}", highlight=False)
    console.print(summary_table(report.summary))


def main() -> None:
    app()
