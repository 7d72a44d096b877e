"""Hidden tests: never shipped to students. The plugin gives them `student` and `reference`."""

pytest_plugins = ["autograder.grading.plugin", "autograder.grading.pytest_entry"]
