"""The direction of dependencies, checked on the source of every module of every app of this
project (an app added to INSTALLED_APPS is covered without a change here):

(a) An import inside a function is a dependency nobody sees at the top of the module, and
    usually a dodged import cycle. One of a project module says why in a comment on its
    line. `AppConfig.ready()` is exempt: registering into the seams there is Django's idiom.
(b) A feature app never imports another feature app's models: it calls that app's
    selectors or services, or registers into a seam (agenda, search, header, tabs). Its own
    models stay plain: they import no other feature app at all (a relation names the other
    model as a string; checks that read another app live in selectors and services).
(c) The project package (`vendorgov`) is the layer below every app and imports none, except
    where apps are wired together: URL tables (`urls.py`, `api/urls.py`), settings and
    management commands. Plumbing that needs to know vendors belongs in `vendors`.
(d) The foundation (`vendors`, `accounts`, `reminders`) imports no feature app.
(e) The top of the house (`TOP`: `signs`, `dashboards`) reads the feature apps and no one
    reads it. A top app calls feature apps' selectors and services, never their models (as
    in (b)); no feature app, foundation app or project module imports a top app, except
    the modules that wire apps together (WIRING). Top apps may read each other (the
    dashboards show the warning signs).

Apps are the installed apps whose code lives in this repository; the foundation, the top
and the project package are named below, and every other app is a feature app.
"""

import ast
import io
import tokenize
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings

PROJECT = "vendorgov"
FOUNDATION = {"vendors", "accounts", "reminders"}
# Apps above every feature app (e): they read the feature apps and nothing imports them.
TOP = {"signs", "dashboards"}
# Modules of the project package that wire the apps together, as dotted-name prefixes.
WIRING = ("vendorgov.urls", "vendorgov.api.urls", "vendorgov.settings",
          "vendorgov.management.commands")
# Function-level imports waiting for their owner, {(module prefix, imported module): who};
# the list only shrinks (an entry nothing matches any more fails, so it is removed).
PENDING = {
}
PRAGMAS = ("noqa", "type:", "pragma", "fmt:")


@dataclass(frozen=True)
class Import:
    module: str  # the dotted name of the importing module
    path: str
    line: int
    target: str  # the module imported, absolute ("sla.models"; "sla" for `from sla import x`)
    names: tuple[str, ...]  # for `from x import a, b`: ("a", "b")
    in_function: str  # the enclosing function's name, "" at module level
    in_class: str  # the class around that function, if any
    commented: bool  # a comment (not a pragma) on one of its lines

    def __str__(self):
        return f"{self.path}:{self.line} imports {self.target}"


def _comment_lines(source: str) -> set[int]:
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            text = token.string.lstrip("#").strip()
            if text and not text.startswith(PRAGMAS):
                lines.add(token.start[0])
    return lines


def imports_of(source: str, module: str, path: str = "", package: bool = False) -> list[Import]:
    """Every import statement of `source` (the module `module`), with where it stands."""
    comments = _comment_lines(source)
    found = []

    def absolute(node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        base = module.split(".")[: len(module.split(".")) - node.level + (1 if package else 0)]
        return ".".join([*base, *([node.module] if node.module else [])])

    def visit(node, function: str, cls: str):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, child.name, cls)
                continue
            if isinstance(child, ast.ClassDef):
                visit(child, function, child.name)
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                commented = bool(comments & set(range(child.lineno, child.end_lineno + 1)))
                if isinstance(child, ast.Import):
                    targets = [(alias.name, ()) for alias in child.names]
                else:
                    targets = [(absolute(child), tuple(a.name for a in child.names))]
                for target, names in targets:
                    found.append(Import(module, path, child.lineno, target, names, function,
                                        cls, commented))
            visit(child, function, cls)

    visit(ast.parse(source), "", "")
    return found


def _project_apps() -> dict[str, Path]:
    """{package: its folder} of the installed apps of this repository (at its top level,
    beside manage.py; installed libraries live elsewhere, or in .venv)."""
    root = Path(settings.BASE_DIR).resolve()
    return {config.name: Path(config.path) for config in apps.get_app_configs()
            if Path(config.path).resolve().parent == root}


APPS = _project_apps()
FEATURE_APPS = set(APPS) - FOUNDATION - TOP - {PROJECT}
TOP_APPS = set(APPS) & TOP


def _modules():
    root = Path(settings.BASE_DIR).resolve()
    for package, folder in APPS.items():
        for path in sorted(folder.rglob("*.py")):
            if "migrations" in path.relative_to(folder).parts:
                continue  # generated
            parts = [package, *path.relative_to(folder).with_suffix("").parts]
            is_package = parts[-1] == "__init__"
            name = ".".join(parts[:-1] if is_package else parts)
            yield name, str(path.relative_to(root)), path.read_text(), is_package


ALL_IMPORTS = [i for name, path, source, package in _modules()
               for i in imports_of(source, name, path, package)]


def _app(dotted: str) -> str:
    return dotted.split(".")[0]


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def hidden_imports(imports) -> list[Import]:
    """(a): function-level imports of project modules without a reason on their line."""
    return [i for i in imports
            if i.in_function and _app(i.target) in APPS and not i.commented
            and not (i.in_function == "ready" and i.module.endswith(".apps") and i.in_class)]


def _pending(i: Import) -> bool:
    return any(_within(i.module, prefix) and i.target == target for prefix, target in PENDING)


def others_models(imports) -> list[Import]:
    """(b): a feature app importing another feature app's models."""
    return [i for i in imports
            if _app(i.module) in FEATURE_APPS and _app(i.target) in FEATURE_APPS
            and _app(i.target) != _app(i.module)
            and (_within(i.target, f"{_app(i.target)}.models")
                 or (i.target == _app(i.target) and "models" in i.names))]


def models_reading_other_apps(imports) -> list[Import]:
    """(b): a feature app's models importing another feature app, at any level."""
    return [i for i in imports
            if _app(i.module) in FEATURE_APPS and _within(i.module, f"{_app(i.module)}.models")
            and _app(i.target) in FEATURE_APPS and _app(i.target) != _app(i.module)]


def project_imports_apps(imports) -> list[Import]:
    """(c): the project package importing an app outside the modules that wire apps."""
    return [i for i in imports
            if _app(i.module) == PROJECT and _app(i.target) in APPS
            and _app(i.target) != PROJECT
            and not any(_within(i.module, prefix) for prefix in WIRING)]


def foundation_imports_features(imports) -> list[Import]:
    """(d): vendors or accounts importing a feature app."""
    return [i for i in imports
            if _app(i.module) in FOUNDATION and _app(i.target) in FEATURE_APPS]


def top_reads_models(imports) -> list[Import]:
    """(e): a top app importing a feature app's models."""
    return [i for i in imports
            if _app(i.module) in TOP and _app(i.target) in FEATURE_APPS
            and (_within(i.target, f"{_app(i.target)}.models")
                 or (i.target == _app(i.target) and "models" in i.names))]


def imports_of_the_top(imports) -> list[Import]:
    """(e): anything below the top (feature apps, the foundation, the project package
    outside the wiring) importing a top app."""
    return [i for i in imports
            if _app(i.target) in TOP and _app(i.module) not in TOP
            and not (_app(i.module) == PROJECT
                     and any(_within(i.module, prefix) for prefix in WIRING))]


def _listed(violations) -> str:
    return "\n".join(f"  {v}" + (f" (in {v.in_function}())" if v.in_function else "")
                     for v in violations)


# -- the checks themselves ---------------------------------------------------------------------

def test_the_check_sees_every_app_and_tells_feature_apps_from_the_foundation():
    assert {PROJECT, *FOUNDATION} <= set(APPS)
    assert {"scorecards", "sla", "governance"} <= FEATURE_APPS
    assert any(i.module == "governance.selectors" and i.target == "governance"
               and "agenda" in i.names and not i.in_function for i in ALL_IMPORTS)


def test_no_function_imports_a_project_module_without_saying_why():
    hidden = [i for i in hidden_imports(ALL_IMPORTS) if not _pending(i)]
    assert not hidden, (
        "Imports inside functions hide a dependency (often a dodged cycle). Move each to the "
        "top of its module, breaking the cycle by moving what both sides need to a module "
        "below them; where one must stay, say why in a comment on its line:\n"
        + _listed(hidden))


def test_pending_function_imports_are_still_there():
    """The PENDING list only shrinks: once its owner fixes one, its entry goes."""
    hidden = hidden_imports(ALL_IMPORTS)
    stale = [(prefix, target) for prefix, target in PENDING
             if not any(_within(i.module, prefix) and i.target == target for i in hidden)]
    assert not stale, f"Fixed: remove these entries from PENDING in {__file__}: {stale}"


def test_no_feature_app_imports_another_feature_apps_models():
    found = others_models(ALL_IMPORTS)
    assert not found, (
        "A feature app reads another through its selectors and writes through its services "
        "(or registers into a seam), never through its models:\n" + _listed(found))


def test_feature_apps_models_import_no_other_feature_app():
    found = models_reading_other_apps(ALL_IMPORTS)
    assert not found, (
        "Models stay plain: name a related model as a string ('sla.ServiceLevel') and move "
        "checks that read another app into selectors or services:\n" + _listed(found))


def test_the_project_package_imports_no_app_outside_the_wiring():
    found = project_imports_apps(ALL_IMPORTS)
    assert not found, (
        f"`{PROJECT}` is the layer below every app. Put plumbing that needs an app in that "
        f"app (vendor-aware pages in `vendors`), or, where apps are wired together, add the "
        f"module to WIRING with the reason:\n" + _listed(found))


def test_the_foundation_imports_no_feature_app():
    found = foundation_imports_features(ALL_IMPORTS)
    assert not found, ("vendors and accounts know no feature app; feature apps register "
                       "into their seams instead:\n" + _listed(found))


def test_the_top_reads_feature_apps_through_selectors_and_services_only():
    found = top_reads_models(ALL_IMPORTS)
    assert not found, ("signs and dashboards read the feature apps through their selectors "
                       "and write through their services, never their models:\n"
                       + _listed(found))


def test_nothing_below_the_top_imports_it():
    found = imports_of_the_top(ALL_IMPORTS)
    assert not found, ("No feature app, foundation app or project module imports signs or "
                       "dashboards (only the URL tables and settings wire them in):\n"
                       + _listed(found))


# -- the check catches what it is meant to catch ---------------------------------------------

BAD = '''
from django.db import models
from sla.models import ServiceLevel
from scorecards import models as scorecard_models
from governance import selectors


def f():
    from vendors.selectors import record_history
    from django.urls import reverse
    from sla import selectors  # sla's selectors read these models: a cycle at import time
    from sla import rules  # noqa: F401


class Config:
    def ready(self):
        from vendors import tabs
'''


def _bad(module):
    return imports_of(BAD, module, module.replace(".", "/") + ".py")


def test_a_hidden_import_is_caught_and_a_commented_one_or_a_ready_registration_is_not():
    hidden = hidden_imports(_bad("governance.apps"))
    assert [(i.line, i.target) for i in hidden] == [(9, "vendors.selectors"), (12, "sla")]
    elsewhere = hidden_imports(_bad("governance.things"))
    assert (17, "vendors") in [(i.line, i.target) for i in elsewhere]


def test_another_feature_apps_models_are_caught_its_selectors_are_not():
    found = others_models(_bad("governance.things"))
    assert [(i.line, i.target) for i in found] == [(3, "sla.models"), (4, "scorecards")]
    own = others_models(_bad("sla.things"))  # sla's own models are its own
    assert [(i.line, i.target) for i in own] == [(4, "scorecards")]


def test_a_model_reading_another_feature_app_is_caught():
    assert {i.target for i in models_reading_other_apps(_bad("scorecards.models"))} == {
        "sla.models", "governance", "sla"}
    assert not models_reading_other_apps(_bad("scorecards.selectors"))


def test_the_project_package_importing_an_app_is_caught_outside_the_wiring():
    assert project_imports_apps(_bad("vendorgov.pages"))
    assert not project_imports_apps(_bad("vendorgov.urls"))
    assert not project_imports_apps(_bad("vendorgov.management.commands.serve"))


def test_the_foundation_importing_a_feature_app_is_caught():
    assert {i.target for i in foundation_imports_features(_bad("vendors.pages"))} == {
        "sla.models", "scorecards", "governance", "sla"}


TOP_BAD = '''
from sla import selectors
from sla.models import Evaluation
from governance import models
from signs import selectors as signs
from dashboards.views import home
'''


def _top_bad(module):
    return imports_of(TOP_BAD, module, module.replace(".", "/") + ".py")


def test_a_top_app_reading_a_feature_apps_models_is_caught_its_selectors_are_not():
    found = top_reads_models(_top_bad("signs.selectors"))
    assert [(i.line, i.target) for i in found] == [(3, "sla.models"), (4, "governance")]


def test_importing_a_top_app_from_below_is_caught_but_not_from_the_wiring_or_the_top():
    assert [i.target for i in imports_of_the_top(_top_bad("sla.agenda"))] == [
        "signs", "dashboards.views"]
    assert [i.target for i in imports_of_the_top(_top_bad("vendors.pages"))] == [
        "signs", "dashboards.views"]
    assert imports_of_the_top(_top_bad("vendorgov.pages"))
    assert not imports_of_the_top(_top_bad("vendorgov.urls"))
    assert not imports_of_the_top(_top_bad("dashboards.views"))


def test_the_top_apps_are_not_feature_apps():
    assert "signs" in TOP_APPS and not TOP & FEATURE_APPS


def test_relative_imports_are_read_as_the_modules_they_name():
    source = "from . import models\nfrom .api import views\nfrom ..sla import rules\n"
    targets = [i.target for i in imports_of(source, "governance.search")]
    assert targets == ["governance", "governance.api", "sla"]
    assert [i.target for i in imports_of(source, "governance", package=True)] == [
        "governance", "governance.api", "sla"]
