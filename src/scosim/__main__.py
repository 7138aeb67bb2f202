"""``python -m scosim``: the ``scosim`` command (:func:`scosim.cli.console`)."""

# Guarded: process-pool workers started by spawn import the main module again (as
# ``__mp_main__``), and must not run the command a second time.
if __name__ == "__main__":
    from scosim.cli import console

    console()
