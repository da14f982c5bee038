"""``qhep data``: generate and inspect HDF5 data files.

The generators and readers (numpy, h5py, Pythia) are imported inside the command functions, so
``qhep --help`` and ``qhep data --help`` stay fast; the option defaults come from the light settings
modules :mod:`~qhep_contrast.data.generators.jet_recipe` and
:mod:`~qhep_contrast.data.generators.egamma_config`.
"""

from __future__ import annotations

import argparse
import os
import shlex
from collections.abc import Iterable
from typing import Any

from qhep_contrast.data.generators.egamma_config import EgammaToyConfig
from qhep_contrast.data.generators.jet_recipe import JetRecipe

__all__ = ["register"]

_DESCRIPTION = """\
Generate and inspect HDF5 data files.

  qhep data generate-jets OUT    quark/gluon jets from Pythia 8 Z + jet events
                                 (needs the 'generate' extra)
  qhep data generate-egamma OUT  a SYNTHETIC toy of electron/photon ECAL showers (numpy only)
  qhep data inspect FILE         keys, shapes, dtypes, label balance, pixel statistics and
                                 attributes of an HDF5 file; FILE may be 'shipped' (the jet file
                                 shipped with the package)

Generators never overwrite an existing file unless --force is given."""


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Keep description layout and show every option's default."""


_JET_OPTIONS: tuple[tuple[str, str, type, str], ...] = (
    # (flag, JetRecipe field, type, help)
    ("--sqrt-s", "sqrt_s_gev", float, "pp centre-of-mass energy in GeV"),
    ("--pthat-min", "pthat_min_gev", float, "Pythia PhaseSpace:pTHatMin in GeV"),
    ("--pt-min", "pt_min_gev", float, "leading-jet pT window: lower edge in GeV (inclusive)"),
    ("--pt-max", "pt_max_gev", float, "leading-jet pT window: upper edge in GeV (exclusive)"),
    ("--eta-max", "eta_max", float, "leading-jet acceptance |eta| < ETA_MAX"),
    ("--radius", "jet_radius", float, "anti-kT jet radius R"),
    ("--tau0-max", "tau0_max_mm", float, "particles with c*tau0 above this (mm) stay stable (K0S, Lambda)"),
    ("--pixels", "n_pixels", int, "image pixels per side"),
    ("--half-width", "image_half_width", float, "image half-width in eta and in phi"),
    ("--max-particles", "max_particles", int, "constituents stored per jet (hardest first, zero-padded)"),
)


_EGAMMA_OPTIONS: tuple[tuple[str, str, type, str], ...] = (
    # (flag, EgammaToyConfig field, type, help)
    ("--energy-min", "energy_min_gev", float, "lowest primary energy (GeV)"),
    ("--energy-max", "energy_max_gev", float, "highest primary energy (GeV)"),
    ("--material-min", "material_min_x0", float, "tracker material in front of the ECAL, lowest (X0)"),
    ("--material-max", "material_max_x0", float, "tracker material in front of the ECAL, highest (X0)"),
    ("--noise", "noise_gev", float, "crystal noise sigma (GeV)"),
    ("--threshold", "threshold_gev", float, "zero suppression: crystals below this energy (GeV) read 0"),
)


def _add_field_options(parser: argparse.ArgumentParser, options: tuple[tuple[str, str, type, str], ...],
                       defaults: object) -> None:
    """One option per dataclass field, its default taken from ``defaults``."""
    for flag, field, kind, text in options:
        parser.add_argument(flag, type=kind, default=getattr(defaults, field), help=text)


def _field_values(args: argparse.Namespace, options: tuple[tuple[str, str, type, str], ...]) -> dict[str, Any]:
    """Dataclass keyword arguments from the parsed options."""
    return {field: getattr(args, flag[2:].replace("-", "_")) for flag, field, _, _ in options}


def _command(name: str, args: argparse.Namespace,
             skip: Iterable[str] = ("func", "command", "data_command", "force")) -> str:
    """An explicit, equivalent command line (every option spelled out) for the file attributes."""
    parts = ["qhep", "data", name, str(args.output)]
    for key, value in sorted(vars(args).items()):
        if key in skip or key == "output":
            continue
        flag = "--" + key.replace("_", "-")
        if isinstance(value, bool):
            parts += [flag] if value else []
        else:
            parts += [flag, str(value)]
    return shlex.join(parts)


def _add_force(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true",
                        help="replace an existing OUTPUT (and a leftover OUTPUT.partial of an interrupted run)")


def _run_generate_jets(args: argparse.Namespace) -> int:
    from qhep_contrast.data.generators.jet_generation import generate_jets

    recipe = JetRecipe(mpi=not args.no_mpi, hadronisation=not args.no_hadronisation, centre=args.centre,
                       **_field_values(args, _JET_OPTIONS))
    report = generate_jets(args.output, args.n, args.seed, recipe, workers=args.workers,
                           shard_size=args.shard_size, quark_fraction=args.quark_fraction,
                           with_particles=not args.no_particles, command=_command("generate-jets", args),
                           force=args.force)
    size_mb = os.path.getsize(report.path) / 1e6
    print(f"wrote {report.n_jets} jets ({report.n_quark} quark, {report.n_jets - report.n_quark} gluon) to "
          f"{report.path} ({size_mb:.2f} MB) in {report.seconds:.1f} s: {report.jets_per_second:.1f} jets/s "
          f"with {args.workers} worker(s)")
    return 0


def _add_generate_jets(inner: argparse._SubParsersAction) -> None:
    defaults = JetRecipe()
    p = inner.add_parser(
        "generate-jets", formatter_class=_HelpFormatter,
        help="quark/gluon jet images + particles from Pythia 8 Z+jet (needs the 'generate' extra)",
        description=(
            "Generate quark/gluon jets: Pythia 8 pp -> Z(->nu nu) + jet (qg2gmZq = quark, qqbar2gmZg = gluon;\n"
            "the Energy Flow Networks recipe), MPI and hadronisation on, anti-kT jets (FastJet) on visible\n"
            "final-state particles; the leading jet is kept if its pT is in the window and |eta| < ETA_MAX.\n"
            "Writes X_jets (N, P, P, 3) pT images (Tracks, ECAL, HCAL; axes eta, phi; centred on the chosen\n"
            "centre), y (1 quark, 0 gluon), pt, m0, jet_eta, jet_phi, n_particles and, unless\n"
            "--no-particles, particles (N, M, 4) = (pt, eta, phi, E) with particle_pid and particle_charge.\n"
            "Balanced in blocks of 2 x SHARD_SIZE jets; the file depends on the seed, not on --workers.\n"
            "Install the generators with: pip install 'pythia8mc==8.317.2' fastjet"),
    )
    p.add_argument("output", help="output HDF5 file")
    p.add_argument("--n", "--n-jets", dest="n", type=int, default=2000, help="number of jets")
    p.add_argument("--seed", type=int, default=1, help="master seed (>= 0); shard seeds derive from it")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes")
    p.add_argument("--shard-size", type=int, default=250, help="jets per shard (one Pythia run each)")
    p.add_argument("--quark-fraction", type=float, default=0.5, help="fraction of quark jets")
    _add_field_options(p, _JET_OPTIONS, defaults)
    p.add_argument("--centre", choices=("centroid", "axis"), default=defaults.centre,
                   help="image centre: pT-weighted centroid of the constituents, or the anti-kT jet axis")
    p.add_argument("--no-mpi", action="store_true", help="switch multi-parton interactions off")
    p.add_argument("--no-hadronisation", action="store_true", help="switch hadronisation off")
    p.add_argument("--no-particles", action="store_true", help="leave the particle arrays out (smaller files)")
    _add_force(p)
    p.set_defaults(func=_run_generate_jets)


def _run_generate_egamma(args: argparse.Namespace) -> int:
    from qhep_contrast.data.generators.egamma_generation import generate_egamma

    config = EgammaToyConfig(**_field_values(args, _EGAMMA_OPTIONS))
    report = generate_egamma(args.output, args.n, args.seed, config, command=_command("generate-egamma", args),
                             force=args.force)
    print(f"wrote {report.n_samples} SYNTHETIC e/gamma showers to {report.path} "
          f"({os.path.getsize(report.path) / 1e6:.2f} MB) in {report.seconds:.1f} s")
    return 0


def _add_generate_egamma(inner: argparse._SubParsersAction) -> None:
    p = inner.add_parser(
        "generate-egamma", formatter_class=_HelpFormatter,
        help="SYNTHETIC toy electron/photon ECAL showers (numpy, no detector simulation)",
        description=(
            "Generate a SYNTHETIC, physics-motivated toy of electron/photon showers in a CMS-like PbWO4\n"
            "barrel ECAL: 32x32 crystals of 0.0174 x 0.0174 (eta x phi), Grindhammer-Peters core + tail\n"
            "profiles, stochastic/constant resolution, electronic noise and zero suppression. Electrons\n"
            "radiate bremsstrahlung photons in the tracker material (Bethe-Heitler), displaced in phi by\n"
            "the 3.8 T field with a charge-dependent sign; photons convert to e+e- pairs with probability\n"
            "1 - exp(-7/9 X/X0). Writes X (N, 32, 32, 2) = (energy GeV, time ns), y (0 photon, 1 electron)\n"
            "and truth arrays; the file attribute synthetic=True marks it as a toy, not CMS data."),
    )
    p.add_argument("output", help="output HDF5 file")
    p.add_argument("--n", type=int, default=10000, help="number of showers (half electrons, half photons)")
    p.add_argument("--seed", type=int, default=1, help="seed (>= 0)")
    _add_field_options(p, _EGAMMA_OPTIONS, EgammaToyConfig())
    _add_force(p)
    p.set_defaults(func=_run_generate_egamma)


def _run_inspect(args: argparse.Namespace) -> int:
    from qhep_contrast.data.h5_summary import summarise_h5
    from qhep_contrast.data.shipped import resolve_data_path

    print(summarise_h5(resolve_data_path(args.file)))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``qhep data`` with ``generate-jets``, ``generate-egamma`` and ``inspect``."""
    parser = sub.add_parser("data", help="generate (jets, SYNTHETIC e/gamma toy) and inspect HDF5 data files",
                            description=_DESCRIPTION, formatter_class=_HelpFormatter)
    inner = parser.add_subparsers(dest="data_command", metavar="<data command>")
    _add_generate_jets(inner)
    _add_generate_egamma(inner)
    p = inner.add_parser("inspect", formatter_class=_HelpFormatter,
                         help="print keys, shapes, dtypes, label balance and attributes of an HDF5 file",
                         description=(
                             "Summarise an HDF5 file reading a bounded amount of data: every dataset's shape,\n"
                             "dtype and compression; the label balance of y (at most the first 2**24 labels);\n"
                             "per-channel pixel statistics of X_jets or X over the first 64 MiB of samples;\n"
                             "the file attributes. A quark/gluon or electron/photon file is also run through\n"
                             "its reader's checks. Exit code 2 with a one-line error for a file that cannot\n"
                             "be read or breaks its schema (dangling links, datasets declaring more rows than\n"
                             "stored, non-numeric or invalid labels, NaN/inf pixels)."))
    p.add_argument("file", help="HDF5 file, or 'shipped' for the quark/gluon jet file shipped with the package")
    p.set_defaults(func=_run_inspect)
    parser.set_defaults(func=lambda args: parser.print_help() or 1)
