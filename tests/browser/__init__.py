"""Real-browser tests that drive the running app in headless Chromium.

This is a package so that its test modules may share names with modules
elsewhere under tests/ and can import .helpers.
"""
