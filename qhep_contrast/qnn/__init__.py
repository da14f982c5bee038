"""qhep_contrast.qnn."""
