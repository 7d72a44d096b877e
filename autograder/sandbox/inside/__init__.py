"""What runs inside the sandbox: the zygote, the student process, the restrictions it puts on itself, and
the wire protocol both sides speak. The standard library only (numpy inside the functions that need it):
sandbox/launch.py loads these modules from their source text in a process that has nothing else of the grader.
"""
