"""Resolve a policy: follow ``extends``, merge rules, apply overrides, settle settings.

Imports are confined: ``builtin:NAME`` loads a shipped pack; a relative path loads a file
inside the root policy's own folder tree (symlinks resolved first, so a link cannot lead out
of it). Absolute paths, ``..`` escapes and cycles are errors naming the offending file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from policylint._lang import ast
from policylint._lang.names import is_file_name, printable
from policylint._lang.packs import BUILTIN_PREFIX, builtin_files, builtin_packs
from policylint._lang.parser import parse_policy_collect
from policylint._lang.resolved import LostNames, ResolvedPolicy, RuleIds, TermScope
from policylint._lang.stamps import FileStamp, folder_listing, read_policy_text
from policylint._limits import MAX_EXPANDED_TERMS, MAX_EXTENDS_DEPTH, MAX_RULES
from policylint._model.diagnostics import Diagnostic
from policylint._model.errors import Suggester, did_you_mean

__all__ = ["resolve_policy"]

#: The scope of a file that could not be loaded.
_MISSING = TermScope({}, complete=False)


class _Resolver:
    """One resolution: the files loaded so far (each once, in load order), their term scopes
    and what went wrong, gathered rather than raised so that one load reports every mistake.
    ``root_dir`` is the root policy's folder, which relative ``extends`` may not leave."""

    def __init__(self, root_dir: Path) -> None:
        self.root_dir = root_dir.resolve()
        self.diagnostics: list[Diagnostic] = []
        self.loaded: dict[str, ast.PolicyFile] = {}
        self.order: list[ast.PolicyFile] = []
        self.scopes: dict[str, TermScope] = {}
        self.stack: list[str] = []
        #: Every file read and pack folder globbed, as read (cache validation).
        self.file_stamps: dict[str, FileStamp | None] = {}
        self.folder_listings: dict[str, list[str] | None] = {}
        #: Terms materialised so far by lists built from other lists (MAX_EXPANDED_TERMS).
        self.expanded = 0
        self.broken: set[tuple[str, str]] = set()
        self.complete = True
        self.lost = LostNames((), complete=True)  # made by merge(), once all is loaded
        self.suggest = Suggester()

    def error(
        self,
        code: str,
        message: str,
        file: ast.PolicyFile,
        pos: ast.Pos,
        hint: str | None = None,
    ) -> None:
        self.diagnostics.append(pos.diagnostic(code, message, file.path, file.lines, hint))

    # ------------------------------------------------------------------ loading
    def load_text(self, source: str, path: str) -> TermScope:
        policy_file, diagnostics = parse_policy_collect(source, path)
        self.diagnostics.extend(diagnostics)
        return self.add_file(policy_file)

    def load_path(self, path: Path, display: str) -> TermScope:
        # ValueError: a NUL in the name; UnicodeError: a lone surrogate, or not UTF-8.
        try:
            key = str(path.resolve())
            if key in self.loaded:
                return self.scopes[self.loaded[key].path]
            self.file_stamps[key] = None
            source, self.file_stamps[key] = read_policy_text(path)
        except (OSError, UnicodeError, ValueError) as error:
            self.cannot_read(display, error)
            return _MISSING
        self.stack.append(key)
        try:
            scope = self.load_text(source, display)
        finally:
            self.stack.pop()
        if display in self.scopes:
            self.loaded[key] = next(f for f in self.order if f.path == display)
        return scope

    def load_folder(self, folder: Path) -> None:
        """A folder pack named by its path: its ``*.policy`` files in name order, loaded as
        ``extends "builtin:NAME"`` loads a built-in one's (no file is the root: their
        headers' overrides apply to what each extends)."""
        key = str(folder.resolve())
        names = self.folder_listings[key] = folder_listing(key)
        if not names:
            self.cannot_read(str(folder), NotADirectoryError("no *.policy file in the folder"))
        for name in names:
            self.load_path(folder / name, str(folder / name))

    def cannot_read(self, display: str, error: Exception) -> None:
        if isinstance(error, UnicodeDecodeError):
            reason = "it is not UTF-8 text"
        elif isinstance(error, OSError):
            reason = str(error)
        else:
            reason = "the name is not a valid file name"
        self.complete = False
        self.diagnostics.append(
            Diagnostic("PL100", f"cannot read policy: {reason}", printable(display), 1, 1)
        )

    def add_file(self, policy_file: ast.PolicyFile) -> TermScope:
        self.broken.update(policy_file.broken)
        complete = not any(kind in ("policy", "*") for kind, _ in policy_file.broken)
        inherited: dict[str, tuple[ast.Term, ...]] = {}
        if policy_file.header is not None:
            for extend in policy_file.header.extends:
                extended = self.extend(policy_file, extend)
                inherited.update(extended.terms)
                complete = complete and extended.complete
        own: dict[str, tuple[ast.Term, ...]] = dict(inherited)
        defined_here: dict[str, ast.Pos] = {}
        refs: list[ast.Term] = []
        for definition in policy_file.terms:
            if definition.name in defined_here:
                self.error(
                    "PL203",
                    f"term list '{definition.name}' is defined twice",
                    policy_file,
                    definition.pos,
                    hint=f"the first definition is on line {defined_here[definition.name].line}",
                )
                continue
            defined_here[definition.name] = definition.pos
            own[definition.name] = self.expand(policy_file, definition, own, refs)
        if not complete:
            self.complete = False
        scope = TermScope(own, complete, tuple(refs))
        self.scopes[policy_file.path] = scope
        self.order.append(policy_file)
        return scope

    def expand(
        self,
        policy_file: ast.PolicyFile,
        definition: ast.TermsDef,
        known: Mapping[str, tuple[ast.Term, ...]],
        refs: list[ast.Term],
    ) -> tuple[ast.Term, ...]:
        """The terms of a list definition, its references to other lists replaced by their
        terms (each term once); a name that is no list is kept as a reference for the
        compiler (and added to ``refs``). The size is checked before the list is built, so
        lists that double each other stop at the limit instead of exhausting memory."""
        size = sum(
            len(part.terms)
            if isinstance(part, ast.TermsLiteral)
            else len(known[part.name])
            if part.name in known
            else 1  # a list setting, resolved by the compiler
            for part in definition.parts
        )
        if self.expanded > MAX_EXPANDED_TERMS:  # already reported: one error is enough
            self.broken.add(("terms", definition.name))
            return ()
        self.expanded += size
        if self.expanded > MAX_EXPANDED_TERMS:
            self.error(
                "PL218",
                f"term lists built from other lists hold more than {MAX_EXPANDED_TERMS:,} "
                f"terms in all; '{definition.name}' goes past that",
                policy_file,
                definition.pos,
                hint="refer to the shared lists where they are used (flag a or b) instead of "
                "copying them into ever larger lists",
            )
            self.broken.add(("terms", definition.name))
            return ()
        terms: dict[str, ast.Term] = {}
        for part in definition.parts:
            if isinstance(part, ast.TermsLiteral):
                found: tuple[ast.Term, ...] = part.terms
            elif part.name in known:
                found = known[part.name]
            else:
                # May name a list setting; the compiler resolves it with the settings.
                found = (ast.Term("\0ref:" + part.name, part.pos),)
                refs.extend(found)
            for term in found:
                if definition.masked and not term.masked:
                    term = ast.Term(term.text, term.pos, masked=True)
                known_term = terms.get(term.text)
                if known_term is None or (term.masked and not known_term.masked):
                    terms[term.text] = term
        return tuple(terms.values())

    def extend(self, policy_file: ast.PolicyFile, extend: ast.Extend) -> TermScope:
        if len(self.stack) >= MAX_EXTENDS_DEPTH:
            self.error(
                "PL218",
                f"'extends' nests deeper than {MAX_EXTENDS_DEPTH} files",
                policy_file,
                extend.pos,
            )
            return _MISSING
        target = extend.target
        if target.startswith(BUILTIN_PREFIX):
            name = target.removeprefix(BUILTIN_PREFIX)
            files = builtin_files(name)
            if files is None:
                self.error(
                    "PL209",
                    f"no built-in pack '{printable(name)}'",
                    policy_file,
                    extend.pos,
                    hint=did_you_mean(name, builtin_packs())
                    or "available: " + ", ".join(builtin_packs()),
                )
                return _MISSING
            if len(files) > 1 or files[0].parent.name == name:
                folder = str(files[0].parent.resolve())
                listing = folder_listing(folder)
                # Listed after the glob: a file added or removed in between is not recorded
                # as if it had been read (None never matches, so the entry is rebuilt).
                same = listing == sorted(file.name for file in files)
                self.folder_listings[folder] = listing if same else None
            merged: dict[str, tuple[ast.Term, ...]] = {}
            complete = True
            for file in files:
                if self._is_cycle(file, policy_file, extend):
                    complete = False
                    continue
                scope = self.load_path(file, f"{BUILTIN_PREFIX}{name}/{file.name}")
                merged.update(scope.terms)
                complete = complete and scope.complete
            return TermScope(merged, complete)
        return self.extend_file(policy_file, extend)

    def extend_file(self, policy_file: ast.PolicyFile, extend: ast.Extend) -> TermScope:
        target = extend.target
        problem = _bad_target(target)
        if problem is not None:
            message, hint = problem
            self.error("PL209", message, policy_file, extend.pos, hint=hint)
            return _MISSING
        if policy_file.path.startswith(BUILTIN_PREFIX):
            base = None
        else:
            base = Path(policy_file.path).parent if policy_file.path != "<policy>" else Path(".")
        if base is None:
            self.error("PL209", "built-in packs extend only builtin:", policy_file, extend.pos)
            return _MISSING
        candidate = (base / target).resolve()
        if not candidate.is_relative_to(self.root_dir):
            self.error(
                "PL209",
                f"'{target}' is outside the policy's folder tree",
                policy_file,
                extend.pos,
                hint="a policy may extend files in its own folder and below, or builtin: packs",
            )
            return _MISSING
        if not candidate.is_file():
            siblings = {p.stem: p.name for p in candidate.parent.glob("*.policy")}
            close = did_you_mean(Path(target).stem, siblings)
            self.error(
                "PL209",
                f"cannot find policy file '{target}'",
                policy_file,
                extend.pos,
                hint=close.replace("'?", ".policy'?") if close else None,
            )
            return _MISSING
        if self._is_cycle(candidate, policy_file, extend):
            return _MISSING
        return self.load_path(candidate, _display(candidate))

    def _is_cycle(self, candidate: Path, policy_file: ast.PolicyFile, extend: ast.Extend) -> bool:
        key = str(candidate.resolve())
        if key not in self.stack:
            return False
        cycle = [*self.stack[self.stack.index(key) :], key]
        names = " -> ".join(Path(p).name for p in cycle)
        self.error(
            "PL208",
            f"'extends' cycle: {names}",
            policy_file,
            extend.pos,
            hint="remove one of the extends so that the files form a tree",
        )
        return True

    # ------------------------------------------------------------------ merging
    def merge(
        self, root: ast.PolicyFile | None, overrides: Mapping[str, ast.Value]
    ) -> tuple[list[ast.RuleNode], dict[str, str], dict[str, ast.Value]]:
        rules: dict[str, ast.RuleNode] = {}
        owner_file: dict[str, ast.PolicyFile] = {}
        settings: dict[str, ast.Value] = {}
        declared_in: dict[str, ast.PolicyFile] = {}
        for policy_file in self.order:
            for setting in policy_file.settings:
                if setting.path in declared_in and declared_in[setting.path] is policy_file:
                    self.error(
                        "PL203",
                        f"setting '{setting.path}' is declared twice",
                        policy_file,
                        setting.pos,
                    )
                settings[setting.path] = setting.value
                declared_in[setting.path] = policy_file
            for rule in policy_file.rules:
                if rule.id in rules:
                    other = owner_file[rule.id]
                    where = (
                        f"line {rules[rule.id].pos.line}"
                        if other is policy_file
                        else f"{other.path}:{rules[rule.id].pos.line}"
                    )
                    self.error(
                        "PL202",
                        f"rule '{rule.id}' is already defined",
                        policy_file,
                        rule.pos,
                        hint=f"first defined at {where}; rule ids are unique in a policy "
                        "(to change an inherited rule, override its severity or disable it "
                        "and write your own with a new id)",
                    )
                    continue
                rules[rule.id] = rule
                owner_file[rule.id] = policy_file

        severities = {rule_id: rule.severity or "warning" for rule_id, rule in rules.items()}
        ids = RuleIds(rules)
        self.lost = LostNames(self.broken, self.complete)
        disabled: set[str] = set()
        for policy_file in self.order:
            header = policy_file.header
            if header is None:
                continue
            for setting in header.sets:
                if setting.path not in settings:
                    if self.lost.may_define("setting", setting.path):
                        continue
                    self.error(
                        "PL213",
                        f"unknown setting '{setting.path}'",
                        policy_file,
                        setting.pos,
                        hint=self.suggest(setting.path, settings)
                        or "declare it with: setting NAME = value",
                    )
                    continue
                settings[setting.path] = _check_setting_type(
                    self, policy_file, setting, settings[setting.path]
                )
            for override in header.severity_overrides:
                for rule_id in self.match_rules(policy_file, override.rule, override.pos, ids):
                    severities[rule_id] = override.level
            for disable in header.disables:
                disabled.update(self.match_rules(policy_file, disable.rule, disable.pos, ids))
        for key, value in overrides.items():
            if key not in settings:
                self.unknown_override(key, settings)
                continue
            settings[key] = value
        kept = [rule for rule_id, rule in rules.items() if rule_id not in disabled]
        for rule in kept:
            self.check_superseded(rule, owner_file[rule.id], rules)
        if len(rules) > MAX_RULES:
            extra = list(rules.values())[MAX_RULES]
            self.error(
                "PL218",
                f"a policy holds at most {MAX_RULES} rules; this is rule {MAX_RULES + 1}",
                owner_file[extra.id],
                extra.pos,
                hint="split the policy, or disable the packs you do not use",
            )
        return kept, {r.id: severities[r.id] for r in kept}, settings

    def check_superseded(
        self, rule: ast.RuleNode, policy_file: ast.PolicyFile, rules: Mapping[str, ast.RuleNode]
    ) -> None:
        """A ``supersedes`` id must name another rule. One this policy does not define is
        accepted as a rule of a pack it does not load (``builtin:regulatory`` alone lacks
        ``platform.fold``), unless the policy has rules of that family (the same first part,
        ``platform.``) or one spelt almost the same: then it is a typo (PL207).
        A built-in pack's ids are never taken for typos: its sub-packs supersede one another's
        rules (``builtin:tone/hostile`` alone lacks the put-downs its rule supersedes), and
        the test suite checks that every id they name exists in ``builtin:all``."""
        builtin = policy_file.path.startswith("builtin:")
        for ref in rule.supersedes:
            if ref.rule == rule.id:
                self.error("PL207", "a rule cannot supersede itself", policy_file, ref.pos)
                continue
            if ref.rule in rules or builtin:
                continue
            family = ref.rule.split(".", 1)[0] + "."
            if any(other.startswith(family) for other in rules) or _spelt_alike(ref.rule, rules):
                self.error(
                    "PL207",
                    f"no rule matches '{ref.rule}'",
                    policy_file,
                    ref.pos,
                    hint=did_you_mean(ref.rule, rules) or "run 'policylint rules' to list them",
                )

    def unknown_override(self, key: str, declared: Mapping[str, ast.Value]) -> None:
        """A setting given to ``load_policy(settings=...)`` (or in configuration) that the
        policy does not declare: it would change nothing, silently."""
        self.diagnostics.append(
            Diagnostic(
                "PL213",
                f"unknown setting '{key}': the policy does not declare it",
                "<settings>",
                1,
                1,
                hint=did_you_mean(key, declared)
                or "the policy declares: " + (", ".join(sorted(declared)) or "no settings"),
            )
        )

    def match_rules(
        self, policy_file: ast.PolicyFile, pattern: str, pos: ast.Pos, ids: RuleIds
    ) -> list[str]:
        matched = ids.matching(pattern)
        if not matched and not self.lost.may_define("rule", pattern):
            self.error(
                "PL207",
                f"no rule matches '{pattern}'",
                policy_file,
                pos,
                hint=self.suggest(pattern, ids.sorted) or "run 'policylint rules' to list rule ids",
            )
        return matched


def _spelt_alike(name: str, candidates: Iterable[str]) -> bool:
    """Whether ``name`` differs from one of ``candidates`` by a slip of a key or two."""
    import difflib

    return bool(difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.85))


def _bad_target(target: str) -> tuple[str, str] | None:
    """Why ``extends`` cannot name ``target`` (message, hint), or None if it may.

    Only ``.policy`` files are read: a policy could otherwise name any file of its folder
    tree (``extends "etc/passwd"`` from ``/``) and have its lines quoted in the errors.
    """
    if not is_file_name(target):
        return (
            f"'extends' names no valid file: '{printable(target)}'",
            "a file name holds no control characters and no unpaired surrogates",
        )
    if Path(target).is_absolute():
        return (
            f"'extends' takes a path relative to the policy file, not '{target}'",
            "policies may only extend files inside their own folder tree or builtin:",
        )
    if not target.endswith(".policy"):
        return (
            f"'extends' takes a .policy file, not '{target}'",
            "policies extend other policy files (NAME.policy) or builtin: packs",
        )
    return None


def _check_setting_type(
    resolver: _Resolver,
    policy_file: ast.PolicyFile,
    setting: ast.SettingDef,
    default: ast.Value,
) -> ast.Value:
    if _value_kind(default) != _value_kind(setting.value):
        resolver.error(
            "PL214",
            f"setting '{setting.path}' takes {_value_kind(default)}, "
            f"not {_value_kind(setting.value)}",
            policy_file,
            setting.pos,
        )
        return default
    return setting.value


def _value_kind(value: ast.Value) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list"


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def resolve_policy(
    *,
    path: str | Path | None = None,
    text: str | None = None,
    settings: Mapping[str, ast.Value] | None = None,
) -> ResolvedPolicy:
    """Load a policy from a file, from text, or the default (``builtin:all``)."""
    if path is not None and str(path).startswith(BUILTIN_PREFIX):
        text = f'policy "{path}" {{ extends "{path}" }}\n'
        path = None
    if path is None and text is None:
        text = 'policy "builtin:all" { extends "builtin:all" }\n'
    root: ast.PolicyFile | None = None
    if path is not None and Path(path).is_dir():
        resolver = _Resolver(Path(path))
        resolver.load_folder(Path(path))
    elif path is not None:
        file_path = Path(path)
        resolver = _Resolver(file_path.parent)
        resolver.load_path(file_path, str(path))
    else:
        assert text is not None
        resolver = _Resolver(Path.cwd())
        resolver.load_text(text, "<policy>")
    # Go on after errors: the compiler reports the mistakes of the blocks that did load, and
    # leaves out what would only echo those errors (ResolvedPolicy.lost).
    if not Path(path or "").is_dir():
        root = resolver.order[-1] if resolver.order else None
    rules, severities, merged_settings = resolver.merge(root, settings or {})
    header = root.header if root is not None else None
    return ResolvedPolicy(
        name=header.name if header else (str(path) if path else "<policy>"),
        description=header.description if header else None,
        files=[f.path for f in resolver.order],
        rules=rules,
        severities=severities,
        settings=merged_settings,
        scopes=resolver.scopes,
        sources={f.path: f.source for f in resolver.order},
        diagnostics=resolver.diagnostics,
        file_stamps=resolver.file_stamps,
        folder_listings=resolver.folder_listings,
        lost_names=resolver.lost,
        lines={f.path: f.lines for f in resolver.order},
        suggest=resolver.suggest,
    )
