"""What a person sees in a real browser: Chromium from the distribution, driven by Playwright."""
