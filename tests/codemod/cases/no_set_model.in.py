# expect: refused S2A193
# behaviour: not compared (refused)
from support_bot.agent import SupportAgent

AGENT = SupportAgent()
