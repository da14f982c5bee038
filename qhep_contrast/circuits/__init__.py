"""qhep_contrast.circuits."""
