"""Checks of scosim's mechanisms against published results and peer packages."""
