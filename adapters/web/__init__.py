"""HTTP: the Telegram webhook, /healthz, /readyz, /metrics (app.py), and any routes added to them."""
