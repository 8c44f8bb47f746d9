# expect: instance S2A101 S2A107
# behaviour: not compared (the class lives in the model's code/ package, which the tests do not have)
import mlflow

from support_bot.agent import SupportAgent

mlflow.models.set_model(SupportAgent(temperature=0.1))
