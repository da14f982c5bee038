"""qhep_contrast.losses."""
