"""Classroom 50 (the open-source successor of GitHub Classroom): bundles of this grader for a classroom's
config repository (bundle.py), and what they run there (autograder.py, result.py).

result-v1.schema.json is Classroom 50's result schema, copied unchanged from its repository
(foundation50/classroom50, schemas/result-v1.schema.json); the tests check every result.json against it.
"""
