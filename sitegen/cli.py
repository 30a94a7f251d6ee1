"""The `sitegen` command: build, check."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from .build import BuildOptions, BuildReport, UsageError, build
from .errors import Diagnostic


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except UsageError as exc:
        parser.error(str(exc))  # exits with 2
    return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sitegen", description="Build the multilingual cluster portal.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    def site_options(command: argparse.ArgumentParser) -> None:
        command.add_argument("--source", type=Path, default=Path("."), help="the site folder (default: .)")
        command.add_argument("--lang", action="append", dest="languages", metavar="LANG", help="build only this language (repeatable)")
        command.add_argument("--strict", action="store_true", help="treat warnings as errors")
        command.add_argument("--base-url", help="the published site's URL (default: site.yaml's base_url)")
        command.add_argument("--quiet", "-q", action="store_true", help="print errors only")

    build_cmd = commands.add_parser("build", help="build the site into the output folder")
    site_options(build_cmd)
    build_cmd.add_argument("--out", type=Path, help="output folder (default: SOURCE/public)")
    build_cmd.add_argument("--no-pdf", dest="pdf", action="store_false", help="skip the brochure PDFs")
    build_cmd.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, help="parallel PDF renderers (default: all cores)")
    build_cmd.set_defaults(run=_build, pdf_slugs=None)

    pdf_cmd = commands.add_parser("pdf", help="make the PDFs of the given brochures (and the site around them)")
    site_options(pdf_cmd)
    pdf_cmd.add_argument("slugs", nargs="+", metavar="SLUG", help="brochure slug")
    pdf_cmd.add_argument("--out", type=Path, help="output folder (default: SOURCE/public)")
    pdf_cmd.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, help="parallel PDF renderers")
    pdf_cmd.set_defaults(run=_build, pdf=True)

    check_cmd = commands.add_parser("check", help="run every stage but writing")
    site_options(check_cmd)
    check_cmd.set_defaults(run=_check)
    return parser


def _options(args: argparse.Namespace, write: bool) -> BuildOptions:
    out = (args.out or args.source / "public") if write else None
    return BuildOptions(
        source=args.source,
        out=out,
        languages=tuple(args.languages) if args.languages else None,
        strict=args.strict,
        base_url=args.base_url,
        pdf=getattr(args, "pdf", False),
        pdf_slugs=tuple(args.slugs) if getattr(args, "slugs", None) else None,
        jobs=getattr(args, "jobs", 1),
    )


def _build(args: argparse.Namespace) -> int:
    report = build(_options(args, write=True))
    return _report(report, args, verb="built")


def _check(args: argparse.Namespace) -> int:
    report = build(_options(args, write=False))
    return _report(report, args, verb="checked")


def _report(report: BuildReport, args: argparse.Namespace, verb: str) -> int:
    print_diagnostics(report.diagnostics, quiet=args.quiet)
    if not report.ok:
        errors = sum(1 for d in report.diagnostics if d.severity == "error")
        print(f"sitegen: {errors} error{'s' if errors != 1 else ''}; nothing was written", file=sys.stderr)
        return 1
    if not args.quiet:
        seconds = sum(report.timings.values())
        languages = len(report.site.languages) if report.site else 0
        where = f" into {args.out or args.source / 'public'}" if verb == "built" else ""
        pdfs = sum(1 for path in report.outputs if path.endswith(".pdf"))
        made = f", {pdfs} PDFs ({len(report.pdfs_rendered)} rendered)" if pdfs else ""
        print(f"sitegen: {verb} {report.pages} pages{made} in {languages} languages{where} ({seconds:.2f} s)")
    return 0


def print_diagnostics(diagnostics: Sequence[Diagnostic], quiet: bool = False) -> None:
    github = os.environ.get("GITHUB_ACTIONS") == "true"
    for diagnostic in diagnostics:
        if quiet and diagnostic.severity != "error":
            continue
        print(diagnostic.format(), file=sys.stderr)
        if github:
            print(diagnostic.github(), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
