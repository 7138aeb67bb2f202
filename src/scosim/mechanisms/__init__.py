"""Pure-function mechanisms over numpy arrays (trade, gravity, ...)."""
