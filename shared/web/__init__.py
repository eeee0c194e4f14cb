"""Web plumbing shared by every module's API: problem details, authentication, ETags."""
