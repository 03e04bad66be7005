"""Discord: slash commands and buttons answered by the core, alerts by DM or in a server's alert channel.

Deploying: create an application, copy its bot token to DISCORD_TOKEN, and invite the bot with the scopes
`bot applications.commands` and the permissions View Channels, Send Messages, Embed Links and Attach Files
(plus Mention All Roles if alert roles are not mentionable). No privileged intent is needed. Commands are
published at start-up, globally (Discord may take a while to show them) or instantly to
DISCORD_DEV_GUILD_ID. DISCORD_API_BASE / DISCORD_GATEWAY_URL point it at a Discord-compatible server.

This package is `adapters.discord`; inside it `import discord` still means discord.py (absolute imports),
as long as nobody runs a file from inside adapters/ as a script (`python -m adapters.cli` is fine).

The package itself imports nothing: `adapters.discord.capabilities` (read by the bootstrap in every process)
must not load discord.py. The service is `adapters.discord.service.DiscordService`.
"""
