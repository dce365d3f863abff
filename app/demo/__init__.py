"""Demo data for development and trying the product out."""
