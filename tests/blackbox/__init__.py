"""Black-box checks: the real ``bot.py run`` against an independent Bot API stand-in."""
