"""qhep_contrast.models."""
