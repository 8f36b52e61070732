"""One frozen configuration made of per-concern parts.

Every option has one name everywhere: the dataclass field, the TOML key (in the table named after
its part) and the CLI flag (`min_docs` <-> `[repeats] min_docs` <-> `--min-docs`).
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

from dedup.errors import ConfigError
from dedup.formats.records import FieldNames, OnError

Keep = Literal["first", "longest", "all"]
KEEP_CHOICES: tuple[str, ...] = ("first", "longest", "all")


@dataclass(frozen=True)
class RulesConfig:
    """Debris rules: which catalogues, which rules are off, and extra rule files."""

    languages: tuple[str, ...] = ("all",)
    disable: tuple[str, ...] = ()
    rules_files: tuple[str, ...] = ()
    context: bool = True

    def __post_init__(self) -> None:
        for name in ("languages", "disable", "rules_files"):
            value = getattr(self, name)
            if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"rules.{name} must be a list of strings, got {value!r}")
            object.__setattr__(self, name, tuple(value))


@dataclass(frozen=True)
class SegmentConfig:
    """How text is cut into paragraphs (see `dedup.segment`)."""

    wrap_min_width: int = 40
    wrap_max_width: int = 100

    def __post_init__(self) -> None:
        if not 1 <= self.wrap_min_width <= self.wrap_max_width:
            raise ConfigError(
                "segment.wrap_min_width must be >= 1 and <= wrap_max_width "
                f"(got {self.wrap_min_width} and {self.wrap_max_width}); did you mean 40 and 100?"
            )


@dataclass(frozen=True)
class MinHashConfig:
    """Signatures and LSH, shared by paragraph and document matching."""

    num_perm: int = 128
    seed: int = 1
    shingle: Literal["word", "char"] = "word"
    ngram: int = 3
    min_tokens: int = 10
    scheme: Literal["affine32", "legacy"] = "affine32"
    hash: Literal["fast", "sha1"] = "fast"
    verify: Literal["jaccard", "signature"] = "jaccard"
    batch_bytes: int = 1 << 20

    def __post_init__(self) -> None:
        if not 8 <= self.num_perm <= 1024:
            raise ConfigError(f"minhash.num_perm must be in [8, 1024], got {self.num_perm}; did you mean 128?")
        _choice("minhash.shingle", self.shingle, ("word", "char"))
        if not 1 <= self.ngram <= 32:
            raise ConfigError(f"minhash.ngram must be in [1, 32], got {self.ngram}; did you mean 3?")
        if self.min_tokens < 1:
            raise ConfigError(f"minhash.min_tokens must be >= 1, got {self.min_tokens}")
        _choice("minhash.scheme", self.scheme, ("affine32", "legacy"))
        _choice("minhash.hash", self.hash, ("fast", "sha1"))
        _choice("minhash.verify", self.verify, ("jaccard", "signature"))
        if self.batch_bytes < 1024:
            raise ConfigError(f"minhash.batch_bytes must be >= 1024, got {self.batch_bytes}")


def _choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")


@dataclass(frozen=True)
class RepeatsConfig:
    """Which repeats count, inside a document and across documents."""

    threshold: float = 0.5
    containment: float = 0.9
    doc_threshold: float = 0.8
    min_docs: int = 3
    keep: Keep = "first"

    def __post_init__(self) -> None:
        for name in ("threshold", "containment", "doc_threshold"):
            value = getattr(self, name)
            if not 0.0 < value < 1.0:
                raise ConfigError(f"repeats.{name} must be in (0, 1), got {value}; did you mean 0.8?")
        if self.min_docs < 2:
            raise ConfigError(f"repeats.min_docs must be >= 2, got {self.min_docs}; did you mean 3?")
        if self.keep not in KEEP_CHOICES:
            raise ConfigError(f"repeats.keep must be one of {', '.join(KEEP_CHOICES)}, got {self.keep!r}")


@dataclass(frozen=True)
class HtmlConfig:
    """HTML input: `main_content=False` keeps every visible block instead of the main content only."""

    main_content: bool = True


OutputFormat = Literal["txt", "md", "html"]
OUTPUT_FORMATS: tuple[str, ...] = ("txt", "md", "html")


@dataclass(frozen=True)
class OutputConfig:
    """Where and how results are written; `output_format` applies to HTML inputs (text stays text)."""

    force: bool = False
    output_format: OutputFormat = "txt"

    def __post_init__(self) -> None:
        _choice("output.output_format", self.output_format, OUTPUT_FORMATS)


ON_ERROR_CHOICES: tuple[str, ...] = ("stop", "skip")
# The field a record gets with `removal_fields`, and the one a dropped record carries its reason in.
REMOVAL_FIELD = "dedup"


@dataclass(frozen=True)
class RecordsConfig:
    """Record files (JSONL, Parquet, WARC): which fields hold text, id and URL, and what the output records carry.

    `output_field` None writes the cleaned text over the text field; a name keeps the original and adds the cleaned
    text under it. `on_error="stop"` fails the run at the first bad record (file and line in the message), before
    anything is written; `"skip"` leaves bad records out and lists them in summary.json. `write_dropped` writes
    the near-duplicates left out of an output beside it (`<name>.dropped.<suffix>`); `removal_fields` adds a
    `dedup` field to every output record saying what was removed. WARC outputs have fixed field names (id, url,
    date, text): the field options apply to JSONL and Parquet.
    """

    text_field: str = "text"
    id_field: str = "id"
    url_field: str = "url"
    output_field: str | None = None
    on_error: OnError = "stop"
    write_dropped: bool = False
    removal_fields: bool = False

    def __post_init__(self) -> None:
        # FieldNames holds the checks the readers rely on; its messages name the options the way users write them.
        names = self.field_names
        if self.output_field is not None:
            if not isinstance(self.output_field, str) or not self.output_field:
                raise ConfigError(
                    f"records.output_field must be a field name, got {self.output_field!r}; leave it out to write "
                    "the cleaned text over the text field"
                )
            if self.output_field in (names.id_field, names.url_field):
                raise ConfigError(
                    f"records.output_field {self.output_field!r} would overwrite the id or URL field; choose "
                    "another name (e.g. 'clean_text')"
                )
        _choice("records.on_error", self.on_error, ON_ERROR_CHOICES)
        for name in ("write_dropped", "removal_fields"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"records.{name} must be true or false, got {getattr(self, name)!r}")
        if REMOVAL_FIELD in (names.text_field, self.output_field):
            raise ConfigError(
                f"the field {REMOVAL_FIELD!r} holds what dedup removed (removal_fields, dropped records); "
                "choose another text_field or output_field"
            )

    @property
    def field_names(self) -> FieldNames:
        try:
            return FieldNames(self.text_field, self.id_field, self.url_field)
        except ConfigError as exc:
            raise ConfigError(f"records.{exc}") from exc


@dataclass(frozen=True)
class Config:
    rules: RulesConfig = field(default_factory=RulesConfig)
    segment: SegmentConfig = field(default_factory=SegmentConfig)
    minhash: MinHashConfig = field(default_factory=MinHashConfig)
    repeats: RepeatsConfig = field(default_factory=RepeatsConfig)
    html: HtmlConfig = field(default_factory=HtmlConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    records: RecordsConfig = field(default_factory=RecordsConfig)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def with_options(self, **options: Any) -> Config:
        """A copy with options changed by their flat names (`min_docs=5`); None means unchanged."""
        parts = {f.name: getattr(self, f.name) for f in fields(self)}
        owner = option_owners()
        changes: dict[str, dict[str, Any]] = {}
        for name, value in options.items():
            if value is None:
                continue
            if name not in owner:
                raise ConfigError(f"unknown option {name!r}")
            changes.setdefault(owner[name], {})[name] = value
        for part, values in changes.items():
            parts[part] = replace(parts[part], **values)
        return Config(**parts)

    @classmethod
    def from_toml(cls, path: str | Path) -> Config:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
        return cls.from_dict(data, origin=str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], origin: str = "config") -> Config:
        parts: dict[str, Any] = {}
        for f in fields(cls):
            section = data.get(f.name, {})
            if not isinstance(section, dict):
                raise ConfigError(f"{origin}: [{f.name}] must be a table")
            part_cls = _PART_CLASSES[f.name]
            known = {pf.name for pf in fields(part_cls)}
            unknown = sorted(set(section) - known)
            if unknown:
                raise ConfigError(
                    f"{origin}: unknown key(s) {', '.join(unknown)} in [{f.name}]; known: {', '.join(sorted(known))}"
                )
            try:
                parts[f.name] = part_cls(**section)
            except TypeError as exc:
                raise ConfigError(f"{origin}: [{f.name}]: {exc}") from exc
        unknown_sections = sorted(set(data) - set(_PART_CLASSES))
        if unknown_sections:
            raise ConfigError(f"{origin}: unknown table(s) {', '.join(unknown_sections)}")
        return cls(**parts)


_PART_CLASSES: dict[str, type] = {
    "rules": RulesConfig,
    "segment": SegmentConfig,
    "minhash": MinHashConfig,
    "html": HtmlConfig,
    "repeats": RepeatsConfig,
    "output": OutputConfig,
    "records": RecordsConfig,
}


def option_owners() -> dict[str, str]:
    """Map every flat option name to the config part that owns it (names are unique across parts)."""
    owner: dict[str, str] = {}
    for part, part_cls in _PART_CLASSES.items():
        for f in fields(part_cls):
            if f.name in owner:
                raise AssertionError(f"option name {f.name} is used by two config parts")
            owner[f.name] = part
    return owner
