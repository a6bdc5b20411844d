"""The workouts as data: typed, frozen plans loaded and validated from YAML."""
