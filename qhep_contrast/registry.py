"""Registries: every extensible layer maps a name to its factory, its options and its traits (torch-free).

A :class:`Registry` is kept next to the implementations it lists (losses, objectives, models, datasets,
views, circuit encoders and ansätze, executors, optimizers, schedulers). Each :class:`Entry` owns

* ``factory``: the callable that builds the thing (its signature is the layer's convention);
* ``options``: a frozen dataclass whose fields are declared with :func:`~qhep_contrast.options.option`
  (ranges, choices, help), which is exactly the set of keys its configuration table accepts;
* ``traits``: facts the rest of the package asks about (which batches a loss needs, which outputs an
  executor supports, ...), instead of hand-kept tuples of names.

A registry can *discover* its entries: given a package, :meth:`Registry.names` first imports every public
module of that package once, so a new loss is one new file (``qhep_contrast/losses/my_loss.py`` calling
``LOSSES.register(...)``) plus its test. Looking up a name that is not registered raises
:class:`~qhep_contrast.exceptions.ConfigError` listing the registered names with a did-you-mean suggestion.
No name dispatch in the package ends in a silent default.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from qhep_contrast.exceptions import ConfigError
from qhep_contrast.options import Selection, did_you_mean, section_from_dict

__all__ = ["Entry", "Registry", "NoOptions"]


@dataclass(frozen=True)
class NoOptions:
    """Options of an entry that takes none (its table holds only the tag key)."""


@dataclass(frozen=True)
class Entry:
    """One registered name.

    Attributes:
        name: the registered name (the value of the tag key in a config table).
        factory: builds the thing; its arguments are the registry's convention.
        options: frozen dataclass of the entry's configuration keys (declared with ``option()``).
        traits: what the rest of the package may ask about the entry (a frozen dataclass or None).
        help: one line for ``qhep list`` and messages.
        parse: optional ``parse(values, path) -> options`` replacing the default dataclass parsing.
        check: optional ``check(options, path)`` for constraints between the entry's own keys.
    """

    name: str
    factory: Callable[..., Any]
    options: type = NoOptions
    traits: Any = None
    help: str = ""
    parse: Callable[[Mapping[str, Any], str], Any] | None = None
    check: Callable[[Any, str], None] | None = None

    def read_options(self, values: Mapping[str, Any], path: str) -> Any:
        """Parse and check the entry's keys of a config table (tag key already removed)."""
        options = (self.parse or (lambda v, p: section_from_dict(self.options, v, p)))(values, path)
        if self.check is not None:
            self.check(options, path)
        return options


class Registry:
    """Name -> :class:`Entry` for one extensible layer.

    Args:
        kind: what the entries are, for messages (``"loss"``, ``"model kind"``, ...).
        tag: the config key that names an entry (``"name"``, ``"kind"``, ``"dataset"``).
        section: the config table the entries are chosen in (``"loss"``), for messages.
        package: dotted package whose public modules register entries; imported on first lookup.
    """

    def __init__(self, kind: str, *, tag: str = "name", section: str = "", package: str | None = None) -> None:
        self.kind, self.tag, self.section, self.package = kind, tag, section or kind, package
        self._entries: dict[str, Entry] = {}
        self._discovered = package is None

    def register(self, name: str, *, options: type = NoOptions, traits: Any = None, help: str = "",
                 parse: Callable[[Mapping[str, Any], str], Any] | None = None,
                 check: Callable[[Any, str], None] | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator: register the decorated factory under ``name``.

        Raises:
            ConfigError: ``name`` is already registered (two entries cannot share a name), or ``options``
                is not a dataclass.
        """

        def decorate(factory: Callable[..., Any]) -> Callable[..., Any]:
            self.add(Entry(name, factory, options, traits, help, parse, check))
            return factory

        return decorate

    def add(self, entry: Entry) -> None:
        """Register ``entry`` (see :meth:`register`)."""
        if entry.name in self._entries and self._entries[entry.name].factory is not entry.factory:
            raise ConfigError(f"{self.kind} {entry.name!r} is registered twice; give the new one another name.")
        if not dataclasses.is_dataclass(entry.options):
            raise ConfigError(f"{self.kind} {entry.name!r}: options must be a dataclass, got {entry.options!r}.")
        self._entries[entry.name] = entry

    def _discover(self) -> None:
        if self._discovered:
            return
        self._discovered = True
        package = importlib.import_module(str(self.package))
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            if not info.name.startswith("_"):
                importlib.import_module(f"{self.package}.{info.name}")

    def names(self) -> tuple[str, ...]:
        """Every registered name, in registration order."""
        self._discover()
        return tuple(self._entries)

    def entries(self) -> Iterator[Entry]:
        """Every entry, in registration order."""
        self._discover()
        return iter(tuple(self._entries.values()))

    def __contains__(self, name: object) -> bool:
        self._discover()
        return name in self._entries

    def get(self, name: str, where: str | None = None) -> Entry:
        """The entry called ``name``.

        Args:
            name: the registered name.
            where: the dotted config key that named it, for the message (default ``<section>.<tag>``).

        Raises:
            ConfigError: ``name`` is not registered; the message lists the names and suggests the closest.
        """
        self._discover()
        if isinstance(name, str) and name in self._entries:
            return self._entries[name]
        key = where or f"{self.section}.{self.tag}"
        known = ", ".join(self._entries) or "(none)"
        shown = name if isinstance(name, str) else repr(name)
        raise ConfigError(f"{key} = {shown!r} is not a registered {self.kind}.{did_you_mean(str(name), list(self._entries))} "
                          f"Registered: {known} (see `qhep list`).")

    def select(self, values: Any, *, path: str | None = None, default_name: str) -> Selection:
        """Read a tagged config table: the tag picks the entry, the other keys are its options.

        Args:
            values: the table (a mapping).
            path: its dotted name (default: the registry's section).
            default_name: the entry used when the table has no tag key.

        Raises:
            ConfigError: not a table, unknown name, or a key/value the entry does not accept.
        """
        path = path or self.section
        if not isinstance(values, Mapping):
            raise ConfigError(f"[{path}] must be a table with {self.tag} = \"...\", got {values!r}.")
        name = values.get(self.tag, default_name)
        entry = self.get(name, f"{path}.{self.tag}")
        rest = {k: v for k, v in values.items() if k != self.tag}
        return Selection(entry.name, entry.read_options(rest, path), self.tag)

    def build(self, selection: Selection, *args: Any, **kwargs: Any) -> Any:
        """``factory(selection.options, *args, **kwargs)`` of the selected entry."""
        return self.get(selection.name).factory(selection.options, *args, **kwargs)

    def traits(self, name: str) -> Any:
        """The traits of entry ``name``."""
        return self.get(name).traits
