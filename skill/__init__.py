"""Upper Body Coach: an Alexa skill that coaches runners through upper-body strength work."""
