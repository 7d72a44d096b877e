"""Starting the student process and talking to it.

launch.py starts the zygote under the strongest layer the machine allows (bubblewrap, Landlock, or neither);
cpu.py reads the CPU time of the student's processes from the kernel. What runs inside the sandbox lives in
inside/: the standard library only, loaded there from source. This package imports nothing of the grading
core.
"""
