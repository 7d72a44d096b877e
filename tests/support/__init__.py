"""What several parts' tests share: the golden comparison, the sandbox layers to run under, the class-report counts,
a headless browser, and GitHub Actions steps run here. Fixtures stay in tests/conftest.py."""
