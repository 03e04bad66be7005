"""Public pages and Atom feeds of the plan's items (issue 13), served by the web process."""

from adapters.web.public.routes import PublicSite, add_public_routes

__all__ = ["PublicSite", "add_public_routes"]
