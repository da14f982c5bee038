"""qhep_contrast.execution."""
