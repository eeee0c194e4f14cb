"""The git the workshop's tools need, in one place: every call goes through :class:`Git`.

Git runs as a subprocess, as a user would run it. The tools never change the
user's work tree behind their back: they apply steps in temporary worktrees
(:meth:`Git.temporary_worktree`) and only touch the checkout a command names.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

# Step patches must come out byte for byte the same whoever exports them, so that a
# refresh that changes nothing shows no diff on main, and a refresh that changes a
# line shows only that line. Hence no commit id ("From 000…"), no git version trailer,
# no "n/N" numbering (adding a step would touch every subject), full blob ids (the
# abbreviated length grows with the repository; `git am -3` needs the blobs), and
# every diff setting a user's config could change pinned here.
FORMAT_PATCH_OPTIONS = (
    "--stdout",
    "--zero-commit",
    "--no-signature",
    "--no-numbered",
    "--full-index",
    "--no-notes",
    "--no-to",
    "--no-cc",
    "--no-add-header",
    "--no-thread",
    "--no-cover-letter",
    "--no-signoff",
    "--no-attach",
    "--no-from",
    "--no-base",
    "--encode-email-headers",
    "--find-renames",
    "--diff-algorithm=histogram",
    "--unified=3",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)

# `git am` records a committer; a workshop laptop or a CI runner may have no identity.
FALLBACK_IDENTITY = {
    "GIT_COMMITTER_NAME": "shop workshop",
    "GIT_COMMITTER_EMAIL": "workshop@localhost",
}


class GitError(Exception):
    """A git command failed; the message quotes the command and what git said."""

    def __init__(self, arguments: Sequence[str], returncode: int, output: str) -> None:
        self.arguments = tuple(arguments)
        self.returncode = returncode
        self.output = output.strip()
        command = " ".join(["git", *arguments])
        super().__init__(f"`{command}` failed ({returncode}): {self.output or 'no output'}")


class Git:
    """Git commands run in one folder (a checkout or a worktree)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._environment_cache: dict[str, str] | None = None

    def run(self, *arguments: str, check: bool = True) -> str:
        """Runs ``git ARGUMENTS`` in the folder; returns stdout. Raises :class:`GitError`."""
        completed = self._execute(arguments, self._environment())
        if check and completed.returncode != 0:
            raise GitError(arguments, completed.returncode, completed.stderr + completed.stdout)
        return completed.stdout

    def succeeds(self, *arguments: str) -> bool:
        """Whether ``git ARGUMENTS`` exits 0: git's way to answer a yes/no question."""
        return self._execute(arguments, self._environment()).returncode == 0

    def _execute(
        self, arguments: Sequence[str], environment: dict[str, str] | None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - git, with arguments built by this module
            ["git", *arguments],  # noqa: S607 - the user's git, found on PATH as they would
            cwd=self.folder,
            capture_output=True,
            text=True,
            env=environment,
            check=False,
        )

    def _environment(self) -> dict[str, str]:
        if self._environment_cache is None:
            environment = dict(os.environ)
            # Messages are quoted to the user and matched by tests: one language everywhere.
            environment["LC_ALL"] = "C"
            for variable, key in (("GIT_COMMITTER_NAME", "name"), ("GIT_COMMITTER_EMAIL", "email")):
                configured = self._execute(["config", f"user.{key}"], None).stdout.strip()
                if variable not in environment and not configured:
                    environment[variable] = FALLBACK_IDENTITY[variable]
            self._environment_cache = environment
        return self._environment_cache

    # --- questions ----------------------------------------------------------------------

    def toplevel(self) -> Path:
        """The root of the checkout the folder belongs to. Raises if it is not in one."""
        return Path(self.run("rev-parse", "--show-toplevel").strip())

    def commit_of(self, ref: str) -> str:
        """The full id of the commit ``ref`` names. Raises :class:`GitError` if none."""
        return self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()

    def branch_exists(self, name: str) -> bool:
        completed = self.run("rev-parse", "--verify", "--quiet", f"refs/heads/{name}", check=False)
        return bool(completed.strip())

    def is_dirty(self) -> bool:
        """Whether tracked files have changes, staged or not (untracked files do not count)."""
        return bool(self.run("status", "--porcelain", "--untracked-files=no").strip())

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        return self.succeeds("merge-base", "--is-ancestor", ancestor, descendant)

    def commits_between(self, base: str, tip: str) -> list[str]:
        """The commits of ``base..tip``, oldest first (merges included, to be refused)."""
        return self.run("rev-list", "--reverse", f"{base}..{tip}").split()

    def is_merge(self, commit: str) -> bool:
        parents = self.run("rev-list", "--parents", "-n", "1", commit).split()
        return len(parents) > 2

    def subject(self, commit: str) -> str:
        return self.run("log", "-1", "--format=%s", commit).strip()

    def show_file(self, commit: str, path: str) -> str | None:
        """The file's content at ``commit``, or ``None`` when it has no such file."""
        if not self.run("cat-file", "-t", f"{commit}:{path}", check=False).strip():
            return None
        return self.run("show", f"{commit}:{path}")

    def am_in_progress(self) -> bool:
        """Whether ``git am`` stopped here and waits for ``--continue`` or ``--abort``."""
        folder = Path(self.run("rev-parse", "--git-path", "rebase-apply").strip())
        return (self.folder / folder).exists()

    def worktree_of_branch(self, branch: str) -> Path | None:
        """The worktree that has ``branch`` checked out, if any."""
        current: Path | None = None
        for line in self.run("worktree", "list", "--porcelain").splitlines():
            if line.startswith("worktree "):
                current = Path(line.removeprefix("worktree "))
            elif line == f"branch refs/heads/{branch}" and current is not None:
                return current
        return None

    # --- changes ------------------------------------------------------------------------

    def apply_patches(self, patches: Sequence[Path]) -> None:
        """``git am -3`` the patches in order. Raises :class:`GitError` at a conflict, with
        ``git am`` stopped in its tracks (the caller decides whether to abort)."""
        if patches:
            self.run("am", "-3", "--quiet", *(str(patch) for patch in patches))

    def abort_am(self) -> None:
        self.run("am", "--abort", check=False)

    def format_patch(self, commit: str) -> str:
        """The commit as a patch in git's mail format, reproducibly (see the options)."""
        return self.run("format-patch", *FORMAT_PATCH_OPTIONS, "-1", commit)

    def create_branch(self, name: str, commit: str) -> None:
        self.run("branch", name, commit)

    def delete_branch(self, name: str) -> None:
        self.run("branch", "-D", name)

    def switch(self, branch: str) -> None:
        self.run("switch", "--quiet", branch)

    # --- worktrees ----------------------------------------------------------------------

    def add_worktree(self, folder: Path, ref: str, *, branch: str | None = None) -> Git:
        """A new worktree at ``folder``: detached at ``ref``, or on a new ``branch`` there."""
        if branch is None:
            self.run("worktree", "add", "--quiet", "--detach", str(folder), ref)
        else:
            self.run("worktree", "add", "--quiet", "-b", branch, str(folder), ref)
        return Git(folder)

    def remove_worktree(self, folder: Path) -> None:
        """Removes the worktree and its folder, whatever state it was left in."""
        self.run("worktree", "remove", "--force", str(folder), check=False)
        shutil.rmtree(folder, ignore_errors=True)
        self.run("worktree", "prune", check=False)

    @contextmanager
    def temporary_worktree(self, ref: str, prefix: str = "shop-workshop-") -> Iterator[Git]:
        """A detached worktree at ``ref`` in a temporary folder, removed on the way out,
        errors included."""
        parent = Path(tempfile.mkdtemp(prefix=prefix))
        folder = parent / "worktree"
        try:
            yield self.add_worktree(folder, ref)
        finally:
            self.remove_worktree(folder)
            shutil.rmtree(parent, ignore_errors=True)
