"""How circuits run: the exact torch engine (``exact``) and Qiskit primitives (``aer``, ``ibm``).

* :class:`ExecutionConfig` (``execution.config``): the validated choice of executor and its options.
* ``execution.exact``: the compiled torch statevector engine.
* ``execution.program.build_program``: a circuit prepared for Aer or IBM Runtime with its primitive
  (``execution.aer``, ``execution.ibm``, ISA transpilation in ``execution.isa``, device noise in
  ``execution.noise``). These import qiskit-aer / qiskit-ibm-runtime lazily.
"""

from qhep_contrast.execution.config import ExecutionConfig

__all__ = ["ExecutionConfig"]
