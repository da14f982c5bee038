"""qhep_contrast.hardware."""
