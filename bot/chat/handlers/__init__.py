"""Handlers by feature; ``bot.chat.register`` wires them in order."""
