"""qhep_contrast.training."""
