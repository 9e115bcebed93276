"""Stack programs of earlier releases (only their first docstring line changed), to prove upgrades change nothing.

main_v1.py is __main__.py as of commit 5c1248e: one library per stack, before `smh-media:libraries`."""
