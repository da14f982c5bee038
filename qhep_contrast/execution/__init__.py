"""How circuits run: the exact torch engine (``exact``) and Qiskit primitives (``aer``, ``ibm``)."""
