"""qhep_contrast.data."""
