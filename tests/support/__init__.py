"""Test support: throwaway services (PostgreSQL, later Chromium) and helpers."""
