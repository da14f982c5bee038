"""One seeded shard of Z + jet events: Pythia 8 generation and FastJet anti-kT clustering, batched.

Needs the ``generate`` extra (``pip install "qhep-contrast[generate]"``: ``pythia8mc==8.317.2`` and
``fastjet``). Events come from ``Pythia.nextBatch`` as awkward arrays and are clustered with FastJet's
multi-event awkward interface, so no Python loop runs over events or particles.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import numpy as np

from qhep_contrast.data.generators.jet_arrays import JetConstituents, jet_file_arrays
from qhep_contrast.data.generators.jet_recipe import JetRecipe, pythia_settings
from qhep_contrast.exceptions import BackendError, ConfigError, DependencyError

__all__ = ["import_generator_modules", "generate_jet_shard"]

_MAX_EVENTS_PER_BATCH = 500
_MIN_ACCEPTANCE = 1e-3
_ACCEPTANCE_GUESS = 0.3


def import_generator_modules() -> tuple[ModuleType, ModuleType, ModuleType]:
    """Import ``pythia8mc``, ``fastjet`` and ``awkward`` or raise :class:`DependencyError` with the fix."""
    try:
        import awkward
        import fastjet
        import pythia8mc
    except ImportError as err:
        raise DependencyError(
            f"jet generation needs the 'generate' extra (pythia8mc==8.317.2, fastjet); import failed: {err}. "
            "Install it with: pip install 'pythia8mc==8.317.2' fastjet   (or pip install -e '.[generate]')"
        ) from err
    return pythia8mc, fastjet, awkward


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Send file descriptor 1 to /dev/null (Pythia and FastJet print banners from C++), then restore it."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _init_pythia(pythia8mc: ModuleType, recipe: JetRecipe, label: int, seed: int) -> Any:
    """A ``pythia8mc.Pythia`` instance initialised with :func:`pythia_settings`."""
    pythia = pythia8mc.Pythia("", False)
    for line in pythia_settings(recipe, label, seed):
        if not pythia.readString(line):
            raise ConfigError(f"Pythia rejected the setting {line!r}; check the recipe and the pythia8mc version.")
    if not pythia.init():
        raise BackendError(f"Pythia failed to initialise for label {label}, seed {seed}: {recipe}")
    return pythia


class _ParticleTable:
    """Cached PDG-id lookups (charge, visibility) from Pythia's particle data, vectorised over arrays."""

    def __init__(self, particle_data: Any) -> None:
        self._data = particle_data
        self._charge: dict[int, float] = {}
        self._visible: dict[int, bool] = {}

    def _fill(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Look up ids not seen yet; return ``numpy.unique(ids, return_inverse=True)``."""
        unique, inverse = np.unique(ids, return_inverse=True)
        for pid in unique.tolist():
            if pid not in self._charge:
                self._charge[pid] = float(self._data.charge(pid))
                self._visible[pid] = bool(self._data.isVisible(pid))
        return unique, inverse

    def charge(self, ids: np.ndarray) -> np.ndarray:
        """Charges (units of e) of PDG ids, same shape."""
        unique, inverse = self._fill(ids)
        return np.array([self._charge[p] for p in unique.tolist()], dtype=np.float64)[inverse]

    def visible(self, ids: np.ndarray) -> np.ndarray:
        """Whether each PDG id is visible to a detector (Pythia's ``isVisible``: not a neutrino, ...)."""
        unique, inverse = self._fill(ids)
        return np.array([self._visible[p] for p in unique.tolist()], dtype=bool)[inverse]


def _leading_jet_constituents(batch: Any, ak: ModuleType, fastjet: ModuleType, jet_def: object,
                              recipe: JetRecipe, table: _ParticleTable) -> JetConstituents:
    """Cluster a ``nextBatch`` of events and return the constituents of accepted leading jets, event order."""
    prt = batch["prt"]
    final = prt[prt.status > 0]
    visible = table.visible(ak.to_numpy(ak.flatten(final.id)))
    vis = final[ak.unflatten(visible, ak.to_numpy(ak.num(final)))]
    momenta = ak.zip({"px": vis.p.px, "py": vis.p.py, "pz": vis.p.pz, "E": vis.p.e})
    sequence = fastjet.ClusterSequence(momenta, jet_def)
    jets, constituents = sequence.inclusive_jets(recipe.pt_min_gev), sequence.constituent_index(recipe.pt_min_gev)
    has_jet = ak.to_numpy(ak.num(jets)) > 0
    jets, constituents, vis = jets[has_jet], constituents[has_jet], vis[has_jet]
    lead = ak.argmax(np.hypot(jets.px, jets.py), axis=1, keepdims=True)
    leading = ak.firsts(jets[lead])
    px, py, pz = (ak.to_numpy(leading[k]) for k in ("px", "py", "pz"))
    pt = np.hypot(px, py)
    eta = np.arcsinh(pz / np.maximum(pt, 1e-12))
    accepted = (pt >= recipe.pt_min_gev) & (pt < recipe.pt_max_gev) & (np.abs(eta) < recipe.eta_max)
    chosen = vis[accepted][ak.firsts(constituents[lead])[accepted]]
    flat = {k: ak.to_numpy(ak.flatten(v)) for k, v in
            (("px", chosen.p.px), ("py", chosen.p.py), ("pz", chosen.p.pz), ("energy", chosen.p.e),
             ("pid", chosen.id))}
    return JetConstituents(counts=ak.to_numpy(ak.num(chosen)).astype(np.int64),
                           charge=table.charge(flat["pid"]), **flat)


def _concat_first(pieces: list[JetConstituents], n_jets: int) -> JetConstituents:
    """Concatenate batches and keep the first ``n_jets`` jets."""
    counts = np.concatenate([p.counts for p in pieces])[:n_jets]
    end = int(counts.sum())
    fields = {k: np.concatenate([getattr(p, k) for p in pieces])[:end]
              for k in ("px", "py", "pz", "energy", "pid", "charge")}
    return JetConstituents(counts=counts, **fields)


def generate_jet_shard(recipe: JetRecipe, label: int, n_jets: int, seed: int,
                       with_particles: bool = True) -> dict[str, np.ndarray]:
    """Generate ``n_jets`` accepted leading jets of one label with one Pythia seed.

    The result depends only on ``(recipe, label, n_jets, seed)``: batches of events are drawn until enough
    jets pass the cuts and the first ``n_jets`` (in event order) are kept.

    Args:
        recipe: physics and image settings.
        label: 1 = quark (``qg2gmZq``), 0 = gluon (``qqbar2gmZg``).
        n_jets: accepted jets to return.
        seed: Pythia ``Random:seed`` in ``1..900000000``.
        with_particles: include the padded particle arrays.

    Returns:
        The arrays of :func:`~qhep_contrast.data.generators.jet_arrays.jet_file_arrays`, first axis ``n_jets``.

    Raises:
        DependencyError: the ``generate`` extra is not installed.
        BackendError: Pythia fails to initialise, or fewer than 0.1 % of events pass the cuts.
    """
    pythia8mc, fastjet, ak = import_generator_modules()
    pieces: list[JetConstituents] = []
    have, tried = 0, 0
    with _quiet_stdout():
        pythia = _init_pythia(pythia8mc, recipe, label, seed)
        table = _ParticleTable(pythia.particleData)
        jet_def = fastjet.JetDefinition(fastjet.antikt_algorithm, recipe.jet_radius)
        while have < n_jets:
            size = min(_MAX_EVENTS_PER_BATCH, int((n_jets - have) / _ACCEPTANCE_GUESS) + 8)
            pieces.append(_leading_jet_constituents(pythia.nextBatch(size), ak, fastjet, jet_def, recipe, table))
            have, tried = have + len(pieces[-1].counts), tried + size
            if tried >= 2000 and have < _MIN_ACCEPTANCE * tried:
                raise BackendError(f"only {have} of {tried} events passed the jet cuts; widen the pT window or "
                                   f"lower pthat_min_gev ({recipe}).")
    return jet_file_arrays(_concat_first(pieces, n_jets), recipe, label, with_particles)
