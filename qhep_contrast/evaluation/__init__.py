"""qhep_contrast.evaluation."""
