"""Tools that publish the skill to Amazon: the skill package for the ASK CLI and SMAPI."""
