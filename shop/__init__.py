"""The composition root: builds the modules, the web app, the relay worker and the CLI.

This is the only package that sees every module.
"""
