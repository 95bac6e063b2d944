"""The generated gold question set for `tracelens eval ask` and the ground truth behind it."""
