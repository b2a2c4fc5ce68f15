from esgui.cli import run

run()
