"""What-if: scenarios, marginal impact and the exact goal-seek planner."""
