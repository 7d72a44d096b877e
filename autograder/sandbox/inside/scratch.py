"""A student process's scratch folder: a file system of its own where the kernel allows, and removal that
nothing student code builds can defeat.

The zygote makes one folder per student process and removes it once the process and all it started have
ended. Two things keep one student's leftovers from the next:
- `private`: in the student process, before any student code runs, a mount namespace of its own (in a user
  namespace of its own, so no privilege is needed) with a small tmpfs over its folder. Whatever it writes lies
  in that tmpfs, which the kernel frees with the last process that uses it; the zygote sees an empty folder,
  and the next process's tmpfs starts afresh (inode numbers included).
- `remove`: where that cannot be (no user namespaces), the zygote deletes what is left. It walks by file
  descriptor, one folder open at a time, without recursion, and opens each folder up before it reads it:
  a chain of folders deeper than Python's recursion limit or longer than PATH_MAX, or a folder whose mode
  forbids reading, is removed like any other. It never raises, and says whether the path is gone, so that a
  zygote that could not clear up is replaced rather than trusted (zygote.py).

Runs inside the sandbox: the standard library only.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import stat

CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000
MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x4000, 0x40000
LINUX_CAPABILITY_VERSION_3 = 0x20080522
TMPFS_OPTIONS = b"size=64m,nr_inodes=16384,mode=0700"  # room for a notebook's files; tmpfs is memory
FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def private(folder: str) -> bool:
    """Give this process, and every process it starts from now on, a tmpfs of its own over `folder`; whether
    it could. Call it while the process has one thread. It then holds no capability, in any namespace."""
    libc = ctypes.CDLL(None, use_errno=True)
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0:
        return False
    try:  # the same user and group inside as outside: files and signals stay as they were
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
            with open(f"/proc/self/{name}", "w") as file:
                file.write(text)
    except OSError:
        drop_capabilities(libc)
        return False
    mounted = (libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) == 0  # nothing propagates out
               and libc.mount(b"tmpfs", os.fsencode(folder), b"tmpfs", MS_NOSUID | MS_NODEV, TMPFS_OPTIONS) == 0)
    drop_capabilities(libc)  # a new user namespace came with every capability in it: none is needed now
    return mounted


def drop_capabilities(libc: ctypes.CDLL) -> None:
    header = (ctypes.c_uint32 * 2)(LINUX_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable: twice 32 bits each, all zero
    if libc.capset(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capset")


def remove(path: str) -> bool:
    """Remove a file or a folder tree, whatever its depth and whatever modes student code gave what is inside;
    whether nothing is left at `path`. Never raises."""
    parent, name = os.path.split(os.path.abspath(path))
    try:
        top = os.open(parent, FOLDER)
    except OSError:
        return not os.path.lexists(path)
    try:
        _remove(top, name)
    except Exception:  # (MemoryError: a folder of millions of names) what is left is seen below
        pass
    finally:
        os.close(top)
    return not os.path.lexists(path)


def _remove(top: int, name: str) -> None:
    if not stat.S_ISDIR(os.stat(name, dir_fd=top, follow_symlinks=False).st_mode):
        os.unlink(name, dir_fd=top)
        return
    here = _open_up(top, name)
    # The way down from `top`: each folder's name and its sub-folders not yet removed. Only the folder at
    # the bottom is open; ".." leads back up (no process is left that could move a folder meanwhile).
    path = [(name, _files_removed(here))]
    try:
        while path:
            below = path[-1][1]
            if below:
                sub = below.pop()
                with contextlib.suppress(OSError):  # (what could not be opened stays, and is seen)
                    folder = _open_up(here, sub)
                    os.close(here)
                    here = folder
                    path.append((sub, _files_removed(here)))
                continue
            done, _ = path.pop()
            up = os.open("..", FOLDER, dir_fd=here) if path else os.dup(top)
            os.close(here)
            here = up
            with contextlib.suppress(OSError):
                os.rmdir(done, dir_fd=here)
    finally:
        os.close(here)


def _open_up(parent: int, name: str) -> int:
    """Open the folder `name` in `parent` after giving its owner every right on it (it may have had none)."""
    try:
        os.chmod(name, 0o700, dir_fd=parent, follow_symlinks=False)
    except (NotImplementedError, OSError):  # no fchmodat that leaves links alone: it is a folder (lstat said)
        os.chmod(name, 0o700, dir_fd=parent)
    return os.open(name, FOLDER, dir_fd=parent)  # O_NOFOLLOW: never a link, whatever was changed


def _files_removed(folder: int) -> list[str]:
    """Unlink everything in `folder` but its sub-folders; their names."""
    with os.scandir(folder) as entries:
        found = [(entry.name, entry.is_dir(follow_symlinks=False)) for entry in entries]
    for name, _ in (f for f in found if not f[1]):
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=folder)
    return [name for name, is_folder in found if is_folder]
