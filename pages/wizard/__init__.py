"""The Setup wizard's steps (pages/setup.py draws them in order).

Each step is a Step object in steps.py: a title, `draw(choices) -> bool` that draws the step,
records what was chosen in the one WizardChoices of this run (services/wizard.py) and says
whether the step is valid, the reason shown under a disabled Next, and the widget keys whose
values are kept while the step is not drawn. One module per step draws it.
"""
