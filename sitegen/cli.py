"""The `sitegen` command: build, check."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from .errors import Diagnostic, Message, Translate, did_you_mean, message_of, os_reason, said, visible
from .options import BuildOptions, UnknownName, UsageError

if TYPE_CHECKING:  # the stages are imported by the commands that run them (see _build)
    from .inputs.config import SiteConfig
    from .inputs.schema import CheckedItem
    from .pipeline import Report


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; its exit code."""
    from .messages import available, chosen, speaking, translator, use

    parser = _parser()
    early = _messages_option(sys.argv[1:] if argv is None else argv)
    use(chosen(early if early in ("en", *available()) else None))  # for the options' own checks, said as argparse reads them
    args = parser.parse_args(argv)
    if args.messages is not None and args.messages not in ("en", *available()):
        parser.error(f"--messages {args.messages}: expected one of en, {', '.join(available())}")  # before a language is chosen: English
    use(chosen(args.messages))
    args.translate = translator(speaking())
    try:
        _check_source(args)
        return args.run(args)
    except UsageError as exc:
        if exc.exit_code == 2:
            parser.error(said(message_of(exc), args.translate))  # with the usage line; exits with 2
        print(f"sitegen: error: {said(message_of(exc), args.translate)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # Ctrl-C: the stages clean up as they unwind; no traceback
        interrupted = Message("interrupted")
        print(f"sitegen: {said(interrupted, args.translate)}", file=sys.stderr)
        return 130


def _messages_option(argv: Sequence[str]) -> str | None:
    """--messages as given, or abbreviated as argparse allows, before argparse reads the command line."""
    early = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    early.add_argument("--messages")
    try:
        return early.parse_known_args(argv)[0].messages
    except argparse.ArgumentError:  # --messages without a value: argparse itself says so next
        return None


def _option_said(message: str) -> str:
    from .messages import speaking, translator

    return said(message, translator(speaking()))


def run() -> NoReturn:
    """The `sitegen` command."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped early (sitegen i18n status | head): as other tools, no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's own flush at exit would fail again
        code = 1
    sys.exit(code)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sitegen", description="Build the multilingual cluster portal.")
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    parser.add_argument(
        "--messages", metavar="LANG", help="the language of sitegen's messages: en, ja, ko or zh (default: the locale's, from LANG; else English)"
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    def site_options(command: argparse.ArgumentParser) -> None:
        command.add_argument("--source", type=Path, default=Path("."), help="the site folder (default: .)")
        command.add_argument("--lang", action="append", dest="languages", metavar="LANG", help="build only this language (repeatable)")
        command.add_argument("--strict", action="store_true", help="treat warnings as errors")
        command.add_argument("--base-url", type=_base_url, help="the published site's URL (default: site.yaml's base_url)")
        command.add_argument("--quiet", "-q", action="store_true", help="print errors only")
        publishing_options(command)

    def publishing_options(command: argparse.ArgumentParser) -> None:
        command.add_argument("--drafts", action="store_true", help="also build items marked draft: true, with a banner")
        command.add_argument("--future", action="store_true", help="also build items whose publish_date is still to come, with a banner")
        command.add_argument(
            "--today", type=_day, metavar="YYYY-MM-DD", help="judge publish_date and expiry_date as on this day (default: $SITEGEN_TODAY, else today in UTC)"
        )

    build_cmd = commands.add_parser("build", help="build the site into the output folder")
    site_options(build_cmd)
    build_cmd.add_argument("--out", type=Path, help="output folder (default: SOURCE/public)")
    build_cmd.add_argument("--no-pdf", dest="pdf", action="store_false", help="skip the brochure PDFs")
    build_cmd.add_argument("--no-search", dest="search", action="store_false", help="skip the search index")
    build_cmd.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, help="processes for pages and PDFs (default: all cores)")
    build_cmd.set_defaults(run=_build, pdf_slugs=None)

    pdf_cmd = commands.add_parser("pdf", help="make the PDFs of the given brochures (and the site around them)")
    site_options(pdf_cmd)
    pdf_cmd.add_argument("slugs", nargs="+", metavar="SLUG", help="brochure slug")
    pdf_cmd.add_argument("--out", type=Path, help="output folder (default: SOURCE/public)")
    pdf_cmd.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, help="parallel PDF renderers")
    pdf_cmd.set_defaults(run=_build, pdf=True)

    serve_cmd = commands.add_parser("serve", help="build, serve, and rebuild on every save, reloading the browser")
    serve_cmd.add_argument("--source", type=Path, default=Path("."))
    serve_cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    serve_cmd.add_argument("--port", type=int, default=8000)
    serve_cmd.add_argument("--lang", action="append", dest="languages", metavar="LANG")
    serve_cmd.add_argument("--out", type=Path, help="folder to serve (default: SOURCE/.sitegen-cache/serve)")
    serve_cmd.add_argument("--pdf", action="store_true", help="also make brochure PDFs on each save")
    serve_cmd.add_argument("--no-drafts", dest="drafts", action="store_false", help="hide drafts, as a published build does (default: shown, with a banner)")
    serve_cmd.add_argument("--future", action="store_true", help="also show items whose publish_date is still to come")
    serve_cmd.set_defaults(run=_serve)

    new_cmd = commands.add_parser("new", help="start a new Korean source file with every field explained")
    new_cmd.add_argument("kind", choices=("cluster", "story", "page", "brochure"))
    new_cmd.add_argument("slug", metavar="SLUG")
    new_cmd.add_argument("--source", type=Path, default=Path("."))
    new_cmd.set_defaults(run=_new)

    i18n_cmd = commands.add_parser("i18n", help="UI catalogs and content translations")
    i18n = i18n_cmd.add_subparsers(required=True, metavar="ACTION")
    for name, text in (
        ("extract", "extract UI strings into locale/messages.pot"),
        ("update", "merge messages.pot into every catalog"),
        ("compile", "compile catalogs to .mo files (the build compiles in memory)"),
    ):
        action = i18n.add_parser(name, help=text)
        action.add_argument("--source", type=Path, default=Path("."))
        action.set_defaults(run=_pybabel, action=name)
    init = i18n.add_parser("init", help="start the catalog of a new language")
    init.add_argument("language", metavar="LANG")
    init.add_argument("--source", type=Path, default=Path("."))
    init.set_defaults(run=_pybabel, action="init")
    status = i18n.add_parser("status", help="what is translated, missing or out of date")
    status.add_argument("--source", type=Path, default=Path("."))
    status.add_argument("--lang", action="append", dest="languages", metavar="LANG")
    status.add_argument("--format", choices=("text", "json"), default="text")
    status.add_argument("--html", type=Path, metavar="DIR", help="also write a report page into DIR")
    status.set_defaults(run=_status)
    done = i18n.add_parser("done", help="record that translations match the current source")
    done.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="translation files, e.g. content/ja/stories/oita-lsi.md")
    done.add_argument("--source", type=Path, default=Path("."))
    done.set_defaults(run=_done)
    export = i18n.add_parser("export", help="content for a translation agency, as XLIFF or PO")
    export.add_argument("items", nargs="*", metavar="ITEM", help="section/slug or a content file (default: every item)")
    export.add_argument("--lang", required=True, metavar="LANG", help="the language to translate into")
    export.add_argument("--brochure", metavar="SLUG", help="every item the brochure is made of")
    export.add_argument("--missing", action="store_true", help="only items not yet translated")
    export.add_argument("--outdated", action="store_true", help="only translations whose source changed since")
    export.add_argument("--format", choices=("xliff", "xliff2", "po"), default="xliff", help="XLIFF 1.2 (default, for CAT tools), XLIFF 2.1 or PO")
    export.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    export.add_argument("--source", type=Path, default=Path("."))
    export.set_defaults(run=_export)
    imports = i18n.add_parser("import", help="check a translated XLIFF or PO file and write its translations")
    imports.add_argument("file", type=Path, metavar="FILE")
    imports.add_argument("--force", action="store_true", help="overwrite translations edited here since the export")
    imports.add_argument("--source", type=Path, default=Path("."))
    imports.set_defaults(run=_import)

    check_cmd = commands.add_parser("check", help="run every stage but writing")
    site_options(check_cmd)
    check_cmd.set_defaults(run=_check)
    return parser


class _Version(argparse.Action):
    """--version: looked up only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=kwargs.get("help"))  # type: ignore[arg-type]

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object, option: str | None = None) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("sitegen")
        except PackageNotFoundError:  # run from a checkout that was never installed
            number = "unknown"
        print(f"sitegen {number}")
        parser.exit()


def _check_source(args: argparse.Namespace) -> None:
    """--source must name a folder: anything else is wrong usage, said before any stage runs."""
    source = getattr(args, "source", None)
    if source is not None and not source.is_dir():
        if source.exists():
            raise UsageError(Message("--source {source}: expected the site folder, found a file; name the folder that holds site.yaml", source=str(source)))
        raise UnknownName(Message("--source {source}: expected the site folder, found no such folder; check the name", source=str(source)))


def _day(value: str) -> dt.date:
    """--today: a date, or wrong usage (exit 2)."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(_option_said(Message("expected a date like 2026-12-07, found {value!r}", value=value))) from None


def _base_url(value: str) -> str:
    """--base-url, checked as site.yaml's base_url is: a bad one is wrong usage (exit 2)."""
    from .inputs.config import check_base_url  # only when the option is given: it loads Babel
    from .inputs.validate import Invalid

    try:
        return check_base_url(value)
    except Invalid as exc:
        raise argparse.ArgumentTypeError(_option_said(exc.message)) from None


def _options(args: argparse.Namespace, write: bool) -> BuildOptions:
    out = (args.out or args.source / "public") if write else None
    return BuildOptions(
        source=args.source,
        out=out,
        languages=tuple(args.languages) if args.languages else None,
        strict=args.strict,
        base_url=args.base_url,
        pdf=getattr(args, "pdf", False),
        search=getattr(args, "search", False),
        pdf_slugs=tuple(args.slugs) if getattr(args, "slugs", None) else None,
        jobs=getattr(args, "jobs", 1),
        drafts=getattr(args, "drafts", False),
        future=getattr(args, "future", False),
        today=getattr(args, "today", None),
    )


class ProgressLine:
    """'pages 120/400' redrawn in place on a terminal; on a log (CI), one plain line per stage; the
    stage's word in the editor's language (`translate`)."""

    def __init__(self, stream: TextIO, translate: Translate | None = None):
        self.stream = stream
        self.live = stream.isatty()
        self.translate = translate

    def __call__(self, what: str, done: int, total: int) -> None:
        what = said(what, self.translate)
        if self.live:
            self.stream.write(f"\r\x1b[K{what} {done}/{total}")
            self.stream.flush()
            if done == total:
                self.stream.write("\r\x1b[K")
        elif done == total:
            print(f"sitegen: {what} {done}/{total}", file=self.stream)


def _build(args: argparse.Namespace) -> int:
    from .pipeline import build

    progress = None if args.quiet else ProgressLine(sys.stderr, args.translate)
    options = _options(args, write=True)
    assert options.out is not None
    _check_out(options.out, args.source)
    return _report(build(options, progress), args, verb="built")


def _check_out(out: Path, source: Path) -> None:
    """An output folder sitegen may not write (inside the sources, say) is wrong usage, said before any stage runs."""
    from .outputs.publish import OutputError, check_destination

    try:
        check_destination(out, source)
    except OutputError as exc:
        raise UsageError(message_of(exc)) from None


def _check(args: argparse.Namespace) -> int:
    from .pipeline import build

    return _report(build(_options(args, write=False)), args, verb="checked")


def _report(report: Report, args: argparse.Namespace, verb: str) -> int:
    print_diagnostics(report.diagnostics, quiet=args.quiet, translate=args.translate)
    if not report.ok:
        errors = sum(1 for d in report.diagnostics if d.severity == "error")
        failed = Message("{count} error; nothing was written", count=errors) if errors == 1 else Message("{count} errors; nothing was written", count=errors)
        print(f"sitegen: {said(failed, args.translate)}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"sitegen: {said(summary(report, verb, getattr(args, 'out', None) or args.source / 'public'), args.translate)}")
    return 0


def summary(report: Report, verb: str, out: Path) -> Message:
    """'built 31 pages in 3 languages into public (0.52 s)', or 'checked ...' with no folder."""
    languages = len(report.site.languages) if report.site else 0
    made = Message(", {pdfs} PDFs ({rendered} rendered)", pdfs=len(report.pdfs), rendered=len(report.pdfs_rendered)) if report.pdfs else ""
    values = {"pages": report.pages, "made": made, "languages": languages, "seconds": f"{sum(report.timings.values()):.2f}"}
    if verb == "built":
        if languages == 1:
            return Message("built {pages} pages{made} in {languages} language into {out} ({seconds} s)", out=str(out), **values)
        return Message("built {pages} pages{made} in {languages} languages into {out} ({seconds} s)", out=str(out), **values)
    if languages == 1:
        return Message("checked {pages} pages{made} in {languages} language ({seconds} s)", **values)
    return Message("checked {pages} pages{made} in {languages} languages ({seconds} s)", **values)


# Notes (missing or unrecorded translations) can run to thousands on a big site: show the first ones.
NOTES_SHOWN = 20


def print_diagnostics(diagnostics: Sequence[Diagnostic], quiet: bool = False, translate: Translate | None = None) -> None:
    """Each diagnostic in the compiler's format, its message in the editor's language (`translate`)."""
    github = os.environ.get("GITHUB_ACTIONS") == "true"
    notes = 0
    for diagnostic in diagnostics:
        if quiet and diagnostic.severity != "error":
            continue
        if diagnostic.severity == "note":
            notes += 1
            if notes > NOTES_SHOWN:
                continue
        print(diagnostic.format(translate), file=sys.stderr)
        if github:
            print(diagnostic.github(translate), file=sys.stderr)
    if notes > NOTES_SHOWN:
        more = Message("{count} more notes; `sitegen i18n status` lists every translation to do", count=notes - NOTES_SHOWN)
        print(f"sitegen: {said(more, translate)}", file=sys.stderr)


def _serve(args: argparse.Namespace) -> int:
    from .inputs.config import load_config
    from .pipeline import _languages
    from .serve import serve

    config, _problems = load_config(args.source)
    if config is not None and args.languages:
        _languages(config, tuple(args.languages))  # unknown languages are wrong usage
    out = args.out or args.source / ".sitegen-cache" / "serve"
    _check_out(out, args.source)
    languages = tuple(args.languages) if args.languages else None
    serve(args.source, out, args.host, args.port, languages, args.pdf, drafts=args.drafts, future=args.future, translate=args.translate)
    return 0


def _new(args: argparse.Namespace) -> int:
    from .inputs.config import load_config
    from .scaffold import scaffold

    config, problems = load_config(args.source)
    if config is None:
        print_diagnostics(problems, translate=args.translate)
        return 1
    try:
        _, note = scaffold(config, args.kind, args.slug, translate=args.translate)
    except ValueError as exc:
        raise UsageError(message_of(exc)) from None
    except OSError as exc:
        problem = Message("expected to write the new file, found an error ({reason}); check that the folder can be written", reason=os_reason(exc))
        print_diagnostics([Diagnostic(str(exc.filename or args.source), None, None, None, problem)], translate=args.translate)
        return 1
    print(said(note, args.translate))
    return 0


def _pybabel(args: argparse.Namespace) -> int:
    from babel import Locale, UnknownLocaleError

    from .inputs.i18n import locale_problems, mapping_problems, pybabel

    language = getattr(args, "language", None)
    if language is not None:
        try:
            Locale.parse(language)
        except (ValueError, TypeError, UnknownLocaleError):
            raise UsageError(Message("expected a language code Babel knows, such as ja or vi, found {language!r}", language=language)) from None
    problems = locale_problems(args.source)  # pybabel writes through links: none may lead out
    if args.action == "extract":
        problems += mapping_problems(args.source)
    if problems:
        print_diagnostics(problems, translate=args.translate)
        return 1
    return pybabel(args.source, args.action, language)


def _load_checked(args: argparse.Namespace) -> tuple[SiteConfig | None, list[CheckedItem], list[Diagnostic]]:
    """The config and every content file that passed its schema, with what did not (read and check stages)."""
    from .inputs.config import load_config
    from .inputs.content import read_content
    from .pipeline import check_items

    config, problems = load_config(args.source)
    if config is None:
        print_diagnostics(problems, translate=args.translate)
        return None, [], problems
    tree, read_problems = read_content(config)
    checked, check_problems = check_items(tree.items, config)
    return config, checked, problems + read_problems + check_problems


def _status(args: argparse.Namespace) -> int:
    import json

    from .pipeline import _languages
    from .translations import as_html, as_json, as_text, status

    config, checked, problems = _load_checked(args)
    if config is None:
        return 1
    languages, more = status(config, checked, _languages(config, tuple(args.languages) if args.languages else None))
    print_diagnostics([d for d in problems + more if d.severity == "error"], translate=args.translate)
    if args.format == "json":
        print(json.dumps(as_json(languages), ensure_ascii=False, indent=2))
    else:
        # File names, and the source's lines in its diffs, as diagnostics show them: on their own lines, visibly
        print("\n".join(visible(line) for line in as_text(languages, translate=args.translate).split("\n")))
    if args.html:
        try:
            args.html.mkdir(parents=True, exist_ok=True)
            (args.html / "index.html").write_text(as_html(languages, config, args.html), encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                Message("--html {folder}: expected a folder to write the report into, found an error ({reason})", folder=str(args.html), reason=os_reason(exc))
            ) from None
        wrote = Message("wrote the report to {path}; open it in a browser", path=str(args.html / "index.html"))
        print(f"sitegen: {said(wrote, args.translate)}", file=sys.stderr)  # not on stdout, which may be JSON
    return 1 if any(d.severity == "error" for d in problems + more) else 0


def _done(args: argparse.Namespace) -> int:
    from .translations import mark_done

    config, checked, _ = _load_checked(args)
    if config is None:
        return 1
    failed = 0
    for path in args.paths:
        version, problem = mark_done(config, path, checked)
        if problem:
            print_diagnostics([problem], translate=args.translate)
        if version is None:
            failed += 1
        else:
            recorded = Message("translates source version {version}", version=version)
            print(f"{path}: {said(recorded, args.translate)}")
    return 1 if failed else 0


def _export(args: argparse.Namespace) -> int:
    from .exchange import Selection, blocking, choose, export, nothing_to_export, unknown_items

    config, checked, problems = _load_checked(args)
    if config is None:
        return 1
    if args.lang not in config.codes or args.lang == config.source_language:
        known = ", ".join(config.translation_codes)
        hint = did_you_mean(args.lang, config.translation_codes)
        raise UnknownName(Message("--lang {lang}: expected a translation language of site.yaml ({known}){fix}", lang=args.lang, known=known, fix=hint))
    selection = Selection(tuple(args.items), args.brochure, args.missing, args.outdated)
    sources, unknown = choose(config, checked, args.lang, selection)
    errors = sorted((d for d in problems if d.severity == "error"), key=Diagnostic.sort_key)
    print_diagnostics(errors, translate=args.translate)
    # An item named here that failed its check is not among the items: its errors above say why.
    if (unknown and errors) or blocking(config, errors, args.lang, sources):
        not_written = Message("{output} was not written: correct the errors above first", output=str(args.output))
        print(f"sitegen: {said(not_written, args.translate)}", file=sys.stderr)
        return 1
    if unknown:
        raise UnknownName(unknown_items(unknown, [f"{c.source.section}/{c.source.slug}" for c in checked if c.source.lang == config.source_language]))
    if not sources:
        print(f"sitegen: {said(nothing_to_export(selection, args.lang, str(args.output)), args.translate)}")
        return 0
    try:
        args.output.write_bytes(export(config, checked, args.lang, sources, args.format))
    except OSError as exc:
        raise UsageError(Message("-o {file}: expected a file to write, found an error ({reason})", file=str(args.output), reason=os_reason(exc))) from None
    if len(sources) == 1:
        wrote = Message("{count} item for {lang}", count=1, lang=args.lang)
    else:
        wrote = Message("{count} items for {lang}", count=len(sources), lang=args.lang)
    print(f"{args.output}: {said(wrote, args.translate)}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from .exchange import import_file

    config, checked, _ = _load_checked(args)
    if config is None:
        return 1
    written, problems = import_file(config, checked, args.file, force=args.force)
    print_diagnostics(problems, translate=args.translate)
    if any(d.severity == "error" for d in problems):
        errors = sum(1 for d in problems if d.severity == "error")
        if errors == 1:
            failed = Message("{count} error in {file}; nothing was written", count=errors, file=str(args.file))
        else:
            failed = Message("{count} errors in {file}; nothing was written", count=errors, file=str(args.file))
        print(f"sitegen: {said(failed, args.translate)}", file=sys.stderr)
        return 1
    for done in written:
        if done.version:
            what = Message("translates source version {version}", version=done.version)
        else:
            what = Message(
                "written; still to translate or review: {units} (a text with one of them is kept as it was until all of it comes back translated)",
                units=", ".join(done.todo[:8]) + (", …" if len(done.todo) > 8 else ""),
            )
        print(f"{done.path}: {said(what, args.translate)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
