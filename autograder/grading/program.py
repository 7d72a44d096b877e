"""What a student's notebook defines when each check runs: the code the grader runs, and where names come from.

Students do not keep to the answer cells. They write helpers and imports in cells of their own, paste an
answer cell back without its metadata, keep an old attempt in a copy. nbgrader runs the whole notebook top
to bottom; the grader gives each graded function what Run All would have defined at that function's check
cell, without running what cannot matter to it (a training loop, a plot, an endless loop in a scratch cell):

- the answer cells (known by their nbgrader id, copies included) run whole, as Jupyter runs them;
- from every other code cell but the test cells, only top-level imports, functions, classes and assignments
  to names (`EPS = 1e-8`, `rng = np.random.default_rng(0)`, `Neuron.forward = forward`), each statement on
  its own, so that one failing statement does not lose the rest; never a loop, a call on its own, a plot;
- of those, only the ones graded code reaches by name, directly or through each other, the names read
  exactly as Python's own symbol tables give them (`symtable`): a `plt` import, or `costs = model.train(...)`,
  that no graded function reads is never run (matplotlib alone costs half a second to import);
- in notebook order, up to the function's check cell: a later definition replaces an earlier one, and one
  below the check cell does not count, since Run All would not have it there either.

Names are followed, not values: a name reached only through `globals()`, `eval` or `setattr` is not seen.
Test cells, known by id or (pasted without metadata) by their source, never run: the hidden checks stand in
for them, and they mark where each function is checked.

One namespace serves every function whose names are bound at its own check cell as they are at the last one
(nearly always all of them); a function whose helper is redefined below its check cell gets a namespace of its
own, built from the definitions in effect at its check cell.
"""

from __future__ import annotations

import ast
import bisect
import symtable
from dataclasses import dataclass, field

from .notebook import DEFINES, Assignment, plain, strip_magics

MAIN = ""  # the key of the namespace most functions are graded in
BLOCKS = {ast.If: "an `if` block", ast.For: "a `for` loop", ast.AsyncFor: "a `for` loop",
          ast.While: "a `while` loop", ast.With: "a `with` block", ast.AsyncWith: "a `with` block",
          ast.Try: "a `try` block", ast.Match: "a `match` block"} | (
    {ast.TryStar: "a `try` block"} if hasattr(ast, "TryStar") else {})
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.ListComp, ast.SetComp,
          ast.DictComp, ast.GeneratorExp)
NOT_RUN = ("by a statement the grader does not run: from cells of your own it takes only imports, functions, "
           "classes and assignments")


@dataclass
class CodeCell:
    position: int  # 1-based, every cell of the notebook counted (text cells too)
    label: str  # how tracebacks name it ("cell <label>, line 3"): an answer cell's id, else its position
    source: str  # magics commented out
    kind: str  # "answer", "test" (never run), "other"
    given: bool = False  # a cell of the release as it was given (its code is not the student's), with or without id
    written: str = ""  # the source as the student wrote it (what messages quote)
    test_of: str | None = None  # a test cell's id: its own, or the one whose released source it holds
    syntax_error: str | None = None

    def describe(self) -> str:
        first = next((line.strip() for line in self.written.splitlines() if line.strip()), "")
        return f"cell {self.position} (`{first[:60]}`)" if first else f"cell {self.position}"

    def at(self, line: int) -> str:
        """Where a statement starts: "cell 14, line 3 (`def logistic(z):`)"."""
        lines = self.written.splitlines()
        text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        return f"cell {self.position}, line {line} (`{text[:60]}`)" if line > 1 else self.describe()

    def title(self) -> str:
        return self.describe().removeprefix("cell ") if self.label.isdigit() else f"'{self.label}'"


@dataclass(frozen=True)
class Definition:
    order: int  # its place among the notebook's definitions
    cell: int  # index into Program.cells
    statement: int | None  # the cell's top-level statement; None: the whole cell (an answer cell)
    binds: frozenset[str]
    reads: frozenset[str]  # the global names it reads, when it runs or when its functions do
    modifies: frozenset[str] = frozenset()  # `Neuron.forward = f` changes Neuron without binding it anew
    star: bool = False  # `from m import *`: binds what no other definition binds
    line: int = 1  # where in its cell it starts
    imports: str = ""  # for an import statement, what it imports (two alike give a name the same value)


@dataclass(frozen=True)
class Skipped:
    """A name bound by student code that is not run: inside a block, by a call, or in a cell that does not parse."""

    name: str
    cell: int
    why: str
    mistake: str
    line: int = 1


@dataclass(frozen=True)
class Exec:
    """One message to the student process: a cell whole (`statements` None) or some of its statements."""

    label: str
    source: str
    statements: tuple[int, ...] | None
    orders: tuple[int, ...]  # the definitions it runs (one for a whole cell)
    title: str  # how a note names the cell: "'neuron_answer'", or "7 (`def logistic(z):`)"

    @property
    def key(self) -> str:
        """The cell's key in the results' problems: an answer cell's id, else "cell N"."""
        return f"cell {self.label}" if self.label.isdigit() else self.label


@dataclass
class Program:
    assignment: Assignment
    cells: list[CodeCell]
    definitions: list[Definition] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    checkpoints: dict[str, tuple[int, int | None]] = field(default_factory=dict)  # function -> (order, cell)
    plans: dict[str, list[Exec]] = field(default_factory=dict)  # namespace key -> what to run, in order
    namespace_of: dict[str, str] = field(default_factory=dict)  # graded function -> namespace key
    used: set[int] = field(default_factory=set)  # definitions some plan runs
    _binders: dict[str, list[int]] = field(default_factory=dict)  # name -> the definitions binding it, in order
    _modifiers: dict[str, list[int]] = field(default_factory=dict)  # name -> the definitions changing it

    # -- building ------------------------------------------------------------------------------------
    @classmethod
    def of(cls, assignment: Assignment, cells: list[dict]) -> Program:
        """The program of a notebook's cells (as notebook.cells_of gives them)."""
        program = cls(assignment, classify(assignment, cells))
        after = program.read_definitions()
        program.find_checkpoints(cells, after)
        program.plan()
        return program

    def read_definitions(self) -> list[int]:
        """Every cell's definitions, in order; for each cell, how many definitions come up to its end."""
        after = []
        for index, cell in enumerate(self.cells):
            if cell.kind == "answer":
                tree = parse(cell)
                binds = bound_at_top(tree.body) if tree else set(DEFINES.findall(cell.source))
                self.add(index, None, binds, set().union(*global_reads(cell.source, tree)) if tree else set())
            elif cell.kind == "other" and (tree := parse(cell)) is not None:
                for number, (statement, reads) in enumerate(zip(tree.body, global_reads(cell.source, tree),
                                                                strict=True)):
                    self.read_statement(index, number, statement, reads)
            elif cell.kind == "other":
                why = f"which has a syntax error ({cell.syntax_error})"
                self.skipped += [Skipped(n, index, why, "cell-syntax-error") for n in DEFINES.findall(cell.source)]
            after.append(len(self.definitions))
        return after

    def read_statement(self, cell: int, number: int, node: ast.stmt, reads: set[str]) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            star = any(alias.name == "*" for alias in node.names)
            names = {(a.asname or a.name).partition(".")[0] for a in node.names if a.name != "*"}
            self.add(cell, number, names, set(), star=star, line=node.lineno, imports=ast.dump(node))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.add(cell, number, {node.name}, reads, line=node.lineno)
        elif (targets := assigned(node)) is not None:
            names, changed = targets
            self.add(cell, number, names, reads | changed, modifies=changed, line=node.lineno)
        else:
            why = f"only inside {BLOCKS[type(node)]}" if type(node) in BLOCKS else NOT_RUN
            mistake = "defined-in-block" if type(node) in BLOCKS else "set-by-code-not-run"
            self.skipped += [Skipped(name, cell, why, mistake, node.lineno) for name in sorted(bound_at_top([node]))]

    def add(self, cell: int, statement: int | None, binds: set[str], reads: set[str], *,
            modifies: set[str] = frozenset(), star: bool = False, line: int = 1, imports: str = "") -> None:
        order = len(self.definitions)
        self.definitions.append(Definition(order, cell, statement, frozenset(binds), frozenset(reads),
                                           frozenset(modifies), star, line, imports))
        for name in binds | ({"*"} if star else set()):
            self._binders.setdefault(name, []).append(order)
        for name in modifies:
            self._modifiers.setdefault(name, []).append(order)

    def find_checkpoints(self, cells: list[dict], after: list[int]) -> None:
        """Where each function is checked: its test cell, else where nbgrader would put the cell back."""
        at: dict[str, int] = {}  # test id -> index into self.cells
        seen: dict[str, int] = {}  # the first index of each nbgrader id in the notebook
        for index, (cell, raw) in enumerate(zip(self.cells, cells, strict=True)):
            seen.setdefault(raw["nbgrader"].get("grade_id"), index)
            if cell.test_of:
                at.setdefault(cell.test_of, index)
        for function in self.assignment.rubric:
            grade_id = function.replace(".", "-")
            if grade_id in at:
                index = at[grade_id]
                self.checkpoints[function] = (after[index], index)
                continue
            earlier = self.assignment.order[:self.assignment.order.index(grade_id)] \
                if grade_id in self.assignment.order else []
            found = [seen[g] for g in earlier if g in seen]
            self.checkpoints[function] = (after[max(found)] if found else len(self.definitions), None)

    def plan(self) -> None:
        last = max((order for order, _ in self.checkpoints.values()), default=len(self.definitions))
        roots = {root(function) for function in self.assignment.rubric}
        main = self.closure(roots, last)[0]
        self.plans[MAIN] = self.execs(main)
        self.used |= main
        own: dict[tuple[int, ...], str] = {}
        for function, (order, _) in self.checkpoints.items():
            chosen, resolved = self.closure({root(function)}, order)
            if all(self.same(self.effective(name, order), self.effective(name, last)) for name, before in resolved
                   if before == order):
                self.namespace_of[function] = MAIN
                continue
            key = own.setdefault(tuple(sorted(chosen)), function)
            self.namespace_of[function] = key
            self.plans.setdefault(key, self.execs(chosen))
            self.used |= chosen

    def same(self, one: tuple[int, ...], other: tuple[int, ...]) -> bool:
        """Whether two chains of definitions give a name the same value: the same definitions, or the same
        import statement written twice (`import numpy as np` in a scratch cell below the first one)."""
        def key(order: int) -> object:
            return self.definitions[order].imports or order
        return [key(o) for o in one] == [key(o) for o in other]

    # -- resolving names -----------------------------------------------------------------------------
    def binding(self, name: str, before: int) -> int | None:
        """The definition of `name` in effect just before definition number `before`, if any: the last one
        that binds it, or a star import after that (which may bind it too)."""
        found = [orders[at - 1] for orders in (self._binders.get(name, []), self._binders.get("*", []))
                 if (at := bisect.bisect_left(orders, before))]
        return max(found) if found else None

    def effective(self, name: str, before: int) -> tuple[int, ...]:
        """What makes `name` what it is just before definition `before`: its binding, then each change since."""
        bound = self.binding(name, before)
        changes = self._modifiers.get(name, [])
        start = 0 if bound is None else bisect.bisect_right(changes, bound)
        return ((bound,) if bound is not None else ()) + tuple(changes[start:bisect.bisect_left(changes, before)])

    def closure(self, roots: set[str], before: int) -> tuple[set[int], set[tuple[str, int]]]:
        """The definitions graded code at `before` can reach, answer cells included; and every (name,
        point) that was looked up. A definition's names are looked up where it runs (class bodies, default
        values) and at `before` (function bodies, run when the check calls them)."""
        chosen = {d.order for d in self.definitions[:before] if d.statement is None}
        todo = [(name, before) for name in roots]
        todo += [(name, point) for order in chosen for name in self.definitions[order].reads
                 for point in (order, before)]
        looked: set[tuple[str, int]] = set()
        while todo:
            name, point = todo.pop()
            if (name, point) in looked:
                continue
            looked.add((name, point))
            for found in self.effective(name, point):
                if found not in chosen:
                    chosen.add(found)
                    definition = self.definitions[found]  # (what it changes is already followed, just above)
                    todo += [(n, p) for n in definition.reads - definition.modifies for p in (found, before)]
        return chosen, looked

    def execs(self, chosen: set[int]) -> list[Exec]:
        """The chosen definitions as messages to the student process: consecutive statements of a cell together."""
        runs: list[tuple[int, list[int | None], list[int]]] = []
        for order in sorted(chosen):
            definition = self.definitions[order]
            if runs and runs[-1][0] == definition.cell and definition.statement is not None \
                    and runs[-1][1][-1] is not None:
                runs[-1][1].append(definition.statement)
                runs[-1][2].append(order)
            else:
                runs.append((definition.cell, [definition.statement], [order]))
        return [Exec(self.cells[cell].label, self.cells[cell].source,
                     None if statements == [None] else tuple(statements), tuple(orders), self.cells[cell].title())
                for cell, statements, orders in runs]

    # -- what the grader and the instructor are told -------------------------------------------------
    def graded_from(self) -> list[str]:
        """The cells other than the answer cells (and the release's own cells) whose functions, classes or
        values some check uses (an import alone is not graded code)."""
        cells = sorted({self.definitions[order].cell for order in self.used if not self.definitions[order].imports})
        return [self.cells[c].describe() for c in cells if self.cells[c].kind == "other" and not self.cells[c].given]

    def graded_sources(self) -> list[str]:
        """The code the main namespace runs, in order, as source text (for similar-submission fingerprints),
        less the imports of cells other than the answer cells."""
        found = []
        for step in self.plans[MAIN]:
            if step.statements is None:
                found.append(step.source)
                continue
            tree = ast.parse(step.source)
            found += [ast.get_source_segment(step.source, tree.body[i]) or "" for i, order in
                      zip(step.statements, step.orders, strict=True) if not self.definitions[order].imports]
        return found

    def notes(self) -> dict[str, str]:
        """A note for each answer cell that is gone with its code: no cell defines its graded names."""
        present = {cell.label for cell in self.cells if cell.kind == "answer"}
        notes = {}
        for answer in self.assignment.answers:
            graded = [n for n in self.assignment.roots if n in DEFINES.findall(answer.source)]
            if answer.grade_id not in present and graded and not any(self.defines(n) for n in graded):
                notes[answer.grade_id] = (f"The answer cell '{answer.grade_id}' is missing from your notebook, and no "
                                          f"other cell defines {', '.join(graded)}.")
        return notes

    def defines(self, name: str) -> bool:
        """Whether any code cell defines `name` at all, run or not (how a notebook is recognised)."""
        return any(name in d.binds for d in self.definitions) or any(s.name == name for s in self.skipped)

    def explain(self, name: str, function: str | None, failure: dict[int, tuple[str, str]]) -> tuple[str, str] | None:
        """Why `name` is not defined when `function` is checked, and the mistake's id; None when no cell
        defines it at all. `failure` maps a definition that raised when run to (what happened, mistake)."""
        order, test_cell = self.checkpoints.get(function, (len(self.definitions), None))
        limit = self.cells[test_cell].position if test_cell is not None else None
        found = self.binding(name, order)
        if found is not None and found in failure:
            text, mistake = failure[found]
            return f"{name} is not defined, because: {text}", mistake
        for skipped in reversed(self.skipped):
            cell = self.cells[skipped.cell]
            if skipped.name == name and (limit is None or cell.position < limit):
                advice = ("fix it, or define it in your answer cell" if skipped.mistake == "cell-syntax-error" else
                          "the grader does not run that: define it at the top level of your answer cell, or of a "
                          "cell of your own above the check cells")
                return f"`{name}` is defined in {cell.at(skipped.line)} {skipped.why}: {advice}.", skipped.mistake
        later = next((d for d in self.definitions[order:] if name in d.binds), None)
        if later is not None:
            check = f"its check cell (cell {limit})" if limit is not None else "the checks"
            return (f"`{name}` is defined in {self.cells[later.cell].at(later.line)}, after {check}: define it in your "
                    "answer cell, or in a cell of your own above the check cells.", "defined-after-checks")
        return None


def classify(assignment: Assignment, cells: list[dict]) -> list[CodeCell]:
    """The notebook's code cells: answer cells by id, test cells by id or by their released source."""
    found, labels = [], set()
    for cell in cells:
        grade_id, source = cell["nbgrader"].get("grade_id"), cell["source"]
        text = plain(source)
        test_of = grade_id if grade_id in assignment.tests else assignment.released_tests.get(text) if text else None
        kind = "test" if test_of else "answer" if grade_id in assignment.answer_ids else "other"
        label = grade_id if kind == "answer" and grade_id not in labels else str(cell["position"])
        labels.add(label)
        found.append(CodeCell(cell["position"], label, strip_magics(source), kind, text in assignment.given_sources,
                              source, test_of))
    return found


def root(function: str) -> str:
    """The top-level name a graded function lives under: `Neuron` for `Neuron.forward`."""
    return function.partition(".")[0]


def parse(cell: CodeCell) -> ast.Module | None:
    try:
        return ast.parse(cell.source)
    except SyntaxError as exc:
        cell.syntax_error = f"{exc.msg}, line {exc.lineno}"
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        cell.syntax_error = type(exc).__name__
    return None


def assigned(node: ast.stmt) -> tuple[set[str], set[str]] | None:
    """The names an assignment binds and the names it changes (`Neuron.forward = f`, `CONFIG["lr"] = 0.1`);
    None when it is not an assignment, or assigns to something other than names and their parts."""
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and getattr(node, "value", None) is not None:
        targets = [node.target]
    else:
        return None
    binds, changes = set(), set()
    todo = list(targets)
    while todo:
        target = todo.pop()
        if isinstance(target, ast.Name):
            binds.add(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            todo += target.elts
        elif isinstance(target, ast.Starred):
            todo.append(target.value)
        elif isinstance(target, (ast.Attribute, ast.Subscript)):
            base = target.value
            while isinstance(base, (ast.Attribute, ast.Subscript)):
                base = base.value
            if not isinstance(base, ast.Name):
                return None
            changes.add(base.id)
        else:
            return None
    if isinstance(node, ast.AugAssign):
        binds, changes = set(), binds | changes
    return binds, changes


def global_reads(source: str, tree: ast.Module) -> list[set[str]]:
    """For each top-level statement, the global names it reads when it runs (decorators, default values, base
    classes, values) and when the functions and classes it defines run, as Python's symbol tables give them.
    Statements that start on one line share their reads (a scope is placed by its first line)."""
    try:
        reads = [module_reads(node) for node in tree.body]
        top = symtable.symtable(source, "<cell>", "exec")
        starts = [min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) for node in tree.body]
        for child in top.get_children():
            at = max(bisect.bisect_right(starts, child.get_lineno()) - 1, 0)
            names = scope_globals(child)
            for number in range(bisect.bisect_left(starts, starts[at]), bisect.bisect_right(starts, starts[at])):
                reads[number] |= names
        return reads
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # parses, but would not compile; absurd nesting
        return [read_names(node) for node in tree.body]


def scope_globals(table: symtable.SymbolTable) -> set[str]:
    """The global names a function's or a class's body reads, nested scopes included."""
    found, todo = set(), [table]
    while todo:
        table = todo.pop()
        found |= {s.get_name() for s in table.get_symbols() if s.is_global() and s.is_referenced()}
        todo += table.get_children()
    return found


def module_reads(node: ast.AST) -> set[str]:
    """The names a statement reads at the top level of its cell (not inside the bodies it defines)."""
    found, todo = set(), [node]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            found.add(node.id)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = node.args
            todo += [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
            todo += [a.annotation for a in (*args.posonlyargs, *args.args, *args.kwonlyargs) if a.annotation]
            todo += getattr(node, "decorator_list", []) + ([node.returns] if getattr(node, "returns", None) else [])
        elif isinstance(node, ast.ClassDef):
            todo += [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            todo.append(node.generators[0].iter)  # the rest runs in the comprehension's own scope
        else:
            todo += ast.iter_child_nodes(node)
    return found


def bound_at_top(body: list[ast.stmt]) -> set[str]:
    """The names these statements bind in the module's namespace (not inside functions or classes)."""
    names: set[str] = set()
    todo: list[ast.AST] = list(body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            todo += node.decorator_list
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).partition(".")[0] for a in node.names if a.name != "*"}
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        if not isinstance(node, SCOPES):
            todo += ast.iter_child_nodes(node)
    return names


def read_names(node: ast.AST) -> set[str]:
    """Every name the code reads, at any depth (a local that shadows a global counts too: harmless)."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
