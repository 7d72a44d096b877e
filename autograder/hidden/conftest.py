"""Hidden tests: never shipped to students. The plugin gives them `student` and `reference`."""

pytest_plugins = ["autograder.plugin"]
