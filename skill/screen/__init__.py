"""The coach's screen on devices with one (APL): documents kept as data files, and the data they
show, worked out from the runner's place. Nothing here sends anything to Alexa."""
