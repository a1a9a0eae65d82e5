"""Agents and teams, managed by an organisation's admins from the web UI (``/staff/``)."""
